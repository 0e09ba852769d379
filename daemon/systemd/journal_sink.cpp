#include "systemd/journal_sink.hpp"

#include "systemd/journal_socket.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/common.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

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

std::vector<std::string> fixed_fields(const log::ListenerFields& fields) {
  std::vector<std::string> fixed{"SYSLOG_IDENTIFIER=netcookd"};
  const std::pair<const char*, const std::string*> named[] = {
      {"LISTENER", &fields.listener},
      {"PROTOCOL", &fields.protocol},
      {"MODEL", &fields.model},
  };
  for (const auto& [name, value] : named)
    if (!value->empty()) fixed.push_back(fmt::format("{}={}", name, *value));
  return fixed;
}

// The fixed fields are formatted once; the rest per entry. sd_journal_sendv()
// is thread-safe and this sink keeps no state that changes, so it needs no
// lock (null_mutex) even when several threads share the instance.
//
// Values go to sd_journal_sendv() (journal_socket.hpp) as they are: it
// sends any value holding a newline in the binary form, so a multi-line
// message stays one field of one entry (sd_journal_send() would also strip
// trailing whitespace; sendv does not).
class JournalSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  explicit JournalSink(const log::ListenerFields& fields) : fixed_(fixed_fields(fields)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::vector<std::string> fields;
    fields.reserve(7);
    fields.push_back(fmt::format("MESSAGE={}", std::string_view(msg.payload.data(), msg.payload.size())));
    fields.push_back(fmt::format("PRIORITY={}", priority_of(msg.level)));
    // Not msg.thread_id: spdlog keeps it in a thread_local, which a forked
    // process inherits, so a connection process would send its master's.
    fields.push_back(fmt::format("TID={}", ::gettid()));
    if (const std::string_view peer = log::PeerScope::peer(); !peer.empty())
      fields.push_back(fmt::format("PEER={}", peer));
    for (const log::Field& field : log::FieldScope::fields())
      fields.push_back(fmt::format("{}={}", field.name, field.value));
    if (!msg.source.empty()) {
      fields.push_back(fmt::format("CODE_FILE={}", msg.source.filename));
      fields.push_back(fmt::format("CODE_LINE={}", msg.source.line));
      fields.push_back(fmt::format("CODE_FUNC={}", msg.source.funcname));
    }
    std::vector<iovec> iov;
    iov.reserve(fixed_.size() + fields.size());
    for (const auto& field : fixed_) iov.push_back({const_cast<char*>(field.data()), field.size()});
    for (auto& field : fields) iov.push_back({field.data(), field.size()});
    // No journald (no socket) is success; a refusal goes to the logger's
    // error handler, which reports it on stderr rather than losing it quietly.
    const int error = journal_sendv(iov.data(), static_cast<int>(iov.size()));
    if (error < 0) throw spdlog::spdlog_ex("sd_journal_sendv failed", -error);
  }

  void flush_() override {}

 private:
  const std::vector<std::string> fixed_;
};

}  // namespace

std::shared_ptr<spdlog::sinks::sink> make_journal_sink(const log::ListenerFields& fields) {
  reopen_closed_journal_socket();  // a forked process may have closed it
  return std::make_shared<JournalSink>(fields);
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
