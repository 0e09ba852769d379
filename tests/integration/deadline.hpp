#pragma once

// Time limits for the integration tests. Every wait in the suite is bounded
// by one of these, so a hang fails the test instead of blocking the run.
// They are generous on purpose (loaded 2-core CI machines, sanitizer builds):
// tests assert behaviour, never speed.

#include <algorithm>
#include <chrono>

namespace netcook::test {

using Clock = std::chrono::steady_clock;
using Timeout = std::chrono::milliseconds;

// Default wait for a log line, an accept, or an echo.
inline constexpr Timeout kWait{15'000};
// For bulk transfers (1 MiB through a sanitized daemon).
inline constexpr Timeout kLongWait{60'000};

// A point in time computed once, so a loop of waits shares one budget.
class Deadline {
 public:
  explicit Deadline(Timeout timeout) : end_(Clock::now() + timeout) {}

  bool expired() const { return Clock::now() >= end_; }

  Timeout remaining() const {
    auto left = std::chrono::ceil<Timeout>(end_ - Clock::now());
    return std::max(left, Timeout{0});
  }

  // The remaining time as a poll(2) argument (never negative).
  int poll_ms() const { return static_cast<int>(remaining().count()); }

 private:
  Clock::time_point end_;
};

}  // namespace netcook::test
