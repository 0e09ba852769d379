#pragma once

// The two timeouts of one connection: idle (no bytes moved either way for
// idle_timeout) and read (the session has held a partial line or request
// for read_timeout). Turns them into a poll(2) timeout and a verdict.

#include "config/config.hpp"

#include <chrono>

namespace netcook::model::thread {

class Deadlines {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Expired { no, idle, read };

  Deadlines(const config::Limits& limits, Clock::time_point now) noexcept
      : idle_timeout_(limits.idle_timeout), read_timeout_(limits.read_timeout), last_active_(now) {}

  // Bytes were read or written.
  void active(Clock::time_point now) noexcept { last_active_ = now; }

  // Whether the session holds a partial line or request now.
  void partial(bool partial, Clock::time_point now) noexcept;

  Expired expired(Clock::time_point now) const noexcept;

  // Milliseconds until the nearer deadline, rounded up, for poll(2).
  int poll_timeout(Clock::time_point now) const noexcept;

 private:
  Clock::time_point next() const noexcept;

  const Clock::duration idle_timeout_;
  const Clock::duration read_timeout_;
  Clock::time_point last_active_;
  Clock::time_point partial_since_{};
  bool partial_ = false;
};

}  // namespace netcook::model::thread
