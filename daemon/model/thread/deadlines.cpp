#include "model/thread/deadlines.hpp"

#include <algorithm>
#include <climits>

namespace netcook::model::thread {

void Deadlines::partial(bool partial, Clock::time_point now) noexcept {
  if (partial && !partial_) partial_since_ = now;
  partial_ = partial;
}

Deadlines::Expired Deadlines::expired(Clock::time_point now) const noexcept {
  if (now - last_active_ >= idle_timeout_) return Expired::idle;
  if (partial_ && now - partial_since_ >= read_timeout_) return Expired::read;
  return Expired::no;
}

Deadlines::Clock::time_point Deadlines::next() const noexcept {
  const auto idle = last_active_ + idle_timeout_;
  return partial_ ? std::min(idle, partial_since_ + read_timeout_) : idle;
}

int Deadlines::poll_timeout(Clock::time_point now) const noexcept {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(next() - now).count();
  return static_cast<int>(std::clamp<decltype(left)>(left, 0, INT_MAX));
}

}  // namespace netcook::model::thread
