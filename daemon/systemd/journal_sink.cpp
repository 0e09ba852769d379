#include "systemd/journal_sink.hpp"

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

namespace netcook::systemd {
namespace {

int priority_of(spdlog::level::level_enum level) noexcept {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return LOG_DEBUG;
    case spdlog::level::info: return LOG_INFO;
    case spdlog::level::warn: return LOG_WARNING;
    case spdlog::level::err: return LOG_ERR;
    case spdlog::level::critical: return LOG_CRIT;
    default: return LOG_NOTICE;
  }
}

// Journal fields are sent as-is; sd_journal_sendv() needs no lock, so the
// sink needs none either (null_mutex).
class JournalSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::vector<std::string> fields;
    fields.reserve(8);
    fields.push_back(fmt::format("MESSAGE={}", std::string_view(msg.payload.data(), msg.payload.size())));
    fields.push_back(fmt::format("PRIORITY={}", priority_of(msg.level)));
    fields.push_back("SYSLOG_IDENTIFIER=netcookd");
    fields.push_back(fmt::format("TID={}", msg.thread_id));
    const std::string_view logger(msg.logger_name.data(), msg.logger_name.size());
    if (!logger.empty() && logger != "netcookd") fields.push_back(fmt::format("LISTENER={}", logger));
    if (!msg.source.empty()) {
      fields.push_back(fmt::format("CODE_FILE={}", msg.source.filename));
      fields.push_back(fmt::format("CODE_LINE={}", msg.source.line));
      fields.push_back(fmt::format("CODE_FUNC={}", msg.source.funcname));
    }
    std::vector<iovec> iov;
    iov.reserve(fields.size());
    for (auto& field : fields) iov.push_back({field.data(), field.size()});
    ::sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
  }

  void flush_() override {}
};

}  // namespace

std::shared_ptr<spdlog::sinks::sink> make_journal_sink() {
  return std::make_shared<JournalSink>();
}

bool stderr_is_journal() noexcept {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  unsigned long long device = 0;
  unsigned long long inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  return st.st_dev == device && st.st_ino == inode;
}

}  // namespace netcook::systemd
