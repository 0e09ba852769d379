#pragma once

// The log lines a driver writes, for tests to look for, each as
// "<level>: <message>" ("error: connection 3 from 127.0.0.1:5 failed: boom").
// In-process drivers log through sink(); the fork model's processes log
// into a file of their own (fork_log_path(), appended to by each process),
// which is read too.

#include "deadline.hpp"

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

namespace netcook::test {

class LogCapture {
 public:
  // Only lines logged from now on count (the fork file is shared by every
  // test of the process).
  LogCapture();

  // For a driver's logger (thread-safe).
  std::shared_ptr<spdlog::sinks::sink> sink() const;
  // A logger on sink() that logs everything, debug lines included.
  std::shared_ptr<spdlog::logger> logger(const std::string& name) const;

  // The lines that hold `text`.
  std::size_t count(std::string_view text) const;
  bool contains(std::string_view text) const { return count(text) > 0; }
  // Waits until a line holds `text` (the fork file is looked at every 10 ms).
  bool wait_for(std::string_view text, Timeout timeout = kWait) const;
  std::vector<std::string> lines() const;

  // The file the fork model's processes log into, in this test process.
  static const std::string& fork_log_path();
  // A logger for a fork-model process (the fork master's LoggerFactory):
  // appends to fork_log_path() with the same line format.
  static std::shared_ptr<spdlog::logger> fork_logger(const std::string& name);

 private:
  class Sink;
  std::shared_ptr<Sink> sink_;
  std::size_t fork_start_ = 0;  // bytes of the fork file before this capture
};

}  // namespace netcook::test
