#pragma once

// A token bucket over the times it is told: `count` tokens flow in every
// `period`, at most `burst` are held, and it starts full. A plain value (one
// time point of state, no clock of its own, no lock): a connection's flood
// control keeps one, a table of sources could keep one per source.
//
// It is kept as the time the bucket will be full again (the "theoretical
// arrival time" of the generic cell rate algorithm): a token taken pushes
// that time one interval (period / count) later; a take is refused while
// it would lie more than `burst` intervals ahead of now.

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace netcook::model {

using Clock = std::chrono::steady_clock;

class TokenBucket {
 public:
  // `count` > 0; a `burst` of 0 counts as 1. A period shorter than `count`
  // nanoseconds makes a bucket that never refuses.
  TokenBucket(std::uint32_t count, Clock::duration period, std::uint32_t burst) noexcept
      : interval_(period / std::max<std::uint32_t>(count, 1)),
        slack_(interval_ * (std::max<std::uint32_t>(burst, 1) - 1)) {}

  // Takes a token if there is one at `now`.
  bool take(Clock::time_point now) noexcept {
    if (now < next_token(now)) return false;
    full_at_ = std::max(full_at_, now) + interval_;
    return true;
  }

  // Whether the bucket is full at `now`: it then says nothing a new bucket
  // would not (a table of them may forget it).
  bool full(Clock::time_point now) const noexcept { return full_at_ <= now; }

  // When the next token is there: `now` if it already is.
  Clock::time_point next_token(Clock::time_point now) const noexcept {
    if (full_at_ <= now) return now;
    return std::max(now, full_at_ - slack_);
  }

 private:
  Clock::duration interval_;  // between two tokens
  Clock::duration slack_;     // burst - 1 intervals: how far ahead full_at_ may be
  Clock::time_point full_at_ = Clock::time_point::min();
};

}  // namespace netcook::model
