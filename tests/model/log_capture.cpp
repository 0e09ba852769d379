#include "log_capture.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <unistd.h>

namespace netcook::test {
namespace {

constexpr const char* kPattern = "%l: %v";

std::string read_from(const std::string& path, std::size_t offset) {
  std::ifstream file(path, std::ios::binary);
  file.seekg(static_cast<std::streamoff>(offset));
  std::ostringstream text;
  if (file) text << file.rdbuf();
  return text.str();
}

std::size_t file_size(const std::string& path) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  return file ? static_cast<std::size_t>(file.tellg()) : 0;
}

}  // namespace

class LogCapture::Sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  Sink() { set_pattern_(kPattern); }

  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  template <typename Predicate>
  bool wait(Predicate done, Timeout timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done(lines_); });
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t text;
    formatter_->format(message, text);
    std::string line(text.data(), text.size());
    while (!line.empty() && line.back() == '\n') line.pop_back();
    lines_.push_back(std::move(line));
    changed_.notify_all();
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;  // guarded by the base's mutex_
  std::condition_variable_any changed_;
};

LogCapture::LogCapture()
    : sink_(std::make_shared<Sink>()), fork_start_(file_size(fork_log_path())) {}

std::shared_ptr<spdlog::sinks::sink> LogCapture::sink() const {
  return sink_;
}

std::shared_ptr<spdlog::logger> LogCapture::logger(const std::string& name) const {
  auto log = std::make_shared<spdlog::logger>(name, sink());
  log->set_level(spdlog::level::trace);
  return log;
}

std::vector<std::string> LogCapture::lines() const {
  std::vector<std::string> all = sink_->lines();
  std::istringstream forked(read_from(fork_log_path(), fork_start_));
  for (std::string line; std::getline(forked, line);) all.push_back(line);
  return all;
}

std::size_t LogCapture::count(std::string_view text) const {
  const auto all = lines();
  return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [text](const auto& line) {
    return line.find(text) != std::string::npos;
  }));
}

// Lines logged here come with a notification; the fork file is polled.
bool LogCapture::wait_for(std::string_view text, Timeout timeout) const {
  const auto holds = [text](const std::string& line) {
    return line.find(text) != std::string::npos;
  };
  const Deadline deadline(timeout);
  while (true) {
    const bool here = sink_->wait(
        [&](const std::vector<std::string>& lines) {
          return std::any_of(lines.begin(), lines.end(), holds);
        },
        std::chrono::milliseconds(10));
    if (here || read_from(fork_log_path(), fork_start_).find(text) != std::string::npos)
      return true;
    if (deadline.expired()) return false;
  }
}

const std::string& LogCapture::fork_log_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir != nullptr ? dir : "/tmp") + "/netcook-driver-test-" +
           std::to_string(::getpid()) + ".log";
  }();
  return path;
}

std::shared_ptr<spdlog::logger> LogCapture::fork_logger(const std::string& name) {
  auto log = std::make_shared<spdlog::logger>(
      name, std::make_shared<spdlog::sinks::basic_file_sink_st>(fork_log_path()));
  log->set_pattern(kPattern);
  log->flush_on(spdlog::level::trace);
  return log;
}

}  // namespace netcook::test
