#pragma once

// The daemon's loggers: the main logger "netcookd" and one logger per
// listener, named after the listener. The target is the journal or stderr
// (colour on a terminal, plain timestamped lines otherwise). On stderr
// every logger shares one sink, which shows the logger's name. In the
// journal each listener's logger has a sink instance of its own that sends
// the listener's LISTENER=, PROTOCOL= and MODEL= with every line; the main
// logger's sends none of them. Lines logged while a log::PeerScope is open
// on the thread add PEER= (journal only). A process forked from the daemon
// (the fork master, a connection process) makes its own with standalone().

#include "config/config.hpp"
#include "log/fields.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <functional>

#include <spdlog/logger.h>

namespace netcook::server {

class Logging {
 public:
  // Starts on stderr at info, before the configuration is read.
  Logging();

  // Applies the configuration's log section at start-up, before any
  // listener logs; `level_override` (from --log-level) wins over the file.
  void configure(const config::LogOptions& options, std::optional<config::LogLevel> level_override);

  // Changes the level of every logger; safe while other threads log (the
  // target, unlike the level, is fixed until restart).
  void set_level(config::LogLevel level);

  // Called by set_level() when the level changes, for loggers this object
  // cannot reach (those of the fork master, another process).
  void on_level_change(std::function<void(spdlog::level::level_enum)> hook);

  spdlog::logger& main() { return *main_; }
  // The logger of `listener`, named after it, carrying its fields.
  std::shared_ptr<spdlog::logger> for_listener(const config::Listener& listener);

  // A logger with sinks of its own (same target and level), for a process
  // forked from this one (the fork master, a connection process): it shares
  // no lock with the parent's loggers. `fields` are a listener's, or empty
  // for the process's own logger.
  std::shared_ptr<spdlog::logger> standalone(const std::string& name,
                                             const log::ListenerFields& fields = {}) const;

 private:
  // Sets every logger's level, without a word (set_level() says it).
  void apply_level(spdlog::level::level_enum level);

  std::vector<std::shared_ptr<spdlog::sinks::sink>> sinks_;
  std::shared_ptr<spdlog::logger> main_;
  spdlog::level::level_enum level_ = spdlog::level::info;
  bool journal_ = false;
  std::vector<std::weak_ptr<spdlog::logger>> listeners_;
  std::function<void(spdlog::level::level_enum)> level_changed_;
};

// A level as the configuration spells it ("warn", not spdlog's "warning");
// "critical" for what stops the daemon or a worker.
std::string_view level_name(spdlog::level::level_enum level);

spdlog::level::level_enum to_spdlog(config::LogLevel level);

// LISTENER=, PROTOCOL=, MODEL= of `listener`.
log::ListenerFields fields_of(const config::Listener& listener);

}  // namespace netcook::server
