#pragma once

// The daemon's loggers. One sink set (journal, or stderr with colour on a
// terminal and plain timestamped lines otherwise), shared by the main
// logger "netcookd" and one logger per listener named after the listener,
// which the journal sink turns into LISTENER=.

#include "config/config.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

namespace netcook::server {

class Logging {
 public:
  // Starts on stderr at info, before the configuration is read.
  Logging();

  // Applies the configuration's log section at start-up, before any
  // listener logs; `level_override` (from --log-level) wins over the file.
  void configure(const config::LogOptions& options,
                 std::optional<config::LogLevel> level_override);

  // Changes the level of every logger; safe while other threads log (the
  // target, unlike the level, is fixed until restart).
  void set_level(config::LogLevel level);

  spdlog::logger& main() { return *main_; }
  std::shared_ptr<spdlog::logger> for_listener(const std::string& name);

  // A logger with sinks of its own (same target and level), for a process
  // forked from this one: it shares no lock with the parent's loggers.
  std::shared_ptr<spdlog::logger> standalone(const std::string& name) const;

 private:
  std::vector<std::shared_ptr<spdlog::sinks::sink>> sinks_;
  std::shared_ptr<spdlog::logger> main_;
  spdlog::level::level_enum level_ = spdlog::level::info;
  bool journal_ = false;
  std::vector<std::weak_ptr<spdlog::logger>> listeners_;
};

spdlog::level::level_enum to_spdlog(config::LogLevel level);

}  // namespace netcook::server
