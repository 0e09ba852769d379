#pragma once

// Proof that a thread's loop still turns, for the systemd watchdog: the
// loop calls beat() on every turn and turns at least once per interval()
// even when idle; the main thread reads last() and stops the watchdog
// pings when a loop has not beaten for too long (it is stuck).
//
// A Heartbeat is lock-free, so it also works in memory shared with another
// process (the fork master beats into a MAP_SHARED page its parent reads).

#include "event/timer.hpp"

#include <atomic>
#include <chrono>

namespace netcook::event {

class Heartbeat {
 public:
  Heartbeat() noexcept { beat(Clock::now()); }
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  // From the beating thread. Also where a test stall, if one was asked
  // for, keeps the thread stuck.
  void beat(Clock::time_point now) noexcept;
  Clock::time_point last() const noexcept {
    return Clock::time_point(Clock::duration(last_.load(std::memory_order_relaxed)));
  }

  // For the watchdog test hook only: the beating thread sleeps `length` at
  // its next beat, as a loop stuck in a handler would. Any thread.
  void stall_for_testing(Clock::duration length) noexcept {
    stall_.store(length.count(), std::memory_order_relaxed);
  }

  // The longest a live loop may go without a beat; 1 s unless set (before
  // any loop starts) to fit a shorter watchdog period.
  static Clock::duration interval() noexcept;
  static void set_interval(Clock::duration interval) noexcept;

 private:
  std::atomic<Clock::rep> last_{0};
  std::atomic<Clock::rep> stall_{0};
  static_assert(std::atomic<Clock::rep>::is_always_lock_free);
};

}  // namespace netcook::event
