#include "server/watchdog.hpp"

#include "systemd/notify.hpp"

#include <fmt/chrono.h>

namespace netcook::server {

Watchdog::Watchdog(event::Loop& loop, std::chrono::microseconds period, Census census,
                   spdlog::logger& log)
    : half_period_(std::chrono::duration_cast<event::Clock::duration>(period) / 2),
      census_(std::move(census)),
      log_(log),
      timer_(loop, [this] { check(); }) {
  log_.info("watchdog: pinging every {} while every listener's loop turns",
            std::chrono::duration_cast<std::chrono::milliseconds>(half_period_));
  check();
}

void Watchdog::check() {
  const auto now = event::Clock::now();
  for (const auto& beating : census_()) {
    for (const event::Heartbeat* heartbeat : beating.heartbeats) {
      const auto silent = now - heartbeat->last();
      if (silent <= half_period_) continue;
      if (stuck_ != beating.listener)
        log_.error("watchdog: listener {}'s loop has not turned for {}; withholding the ping",
                   beating.listener, std::chrono::duration_cast<std::chrono::milliseconds>(silent));
      stuck_ = beating.listener;
      timer_.arm_after(half_period_);
      return;
    }
  }
  if (!stuck_.empty()) log_.warn("watchdog: every loop turns again; pinging");
  stuck_.clear();
  systemd::notify_watchdog();
  timer_.arm_after(half_period_);
}

}  // namespace netcook::server
