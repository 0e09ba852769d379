#pragma once

// The systemd watchdog, on the main loop: every half period it checks that
// every serving listener's loops have beaten within that half period and
// only then sends WATCHDOG=1. A stuck listener thread (or a stuck main
// loop) makes the pings stop, and systemd restarts the service.

#include "event/heartbeat.hpp"
#include "event/loop.hpp"
#include "event/timer.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

namespace netcook::server {

class Watchdog {
 public:
  struct Beating {
    std::string listener;
    std::vector<event::Heartbeat*> heartbeats;
  };
  // What must be alive right now; called on every check.
  using Census = std::function<std::vector<Beating>()>;

  // `period` is systemd's WatchdogSec; starts checking at once.
  Watchdog(event::Loop& loop, std::chrono::microseconds period, Census census, spdlog::logger& log);

 private:
  void check();

  const event::Clock::duration half_period_;
  Census census_;
  spdlog::logger& log_;
  event::Timer timer_;
  std::string stuck_;  // the listener last reported stuck; empty when all beat
};

}  // namespace netcook::server
