#include "event/timer.hpp"

#include "event/loop.hpp"

namespace netcook::event {

Timer::Timer(Loop& loop, std::function<void()> callback)
    : loop_(loop), callback_(std::move(callback)) {}

Timer::~Timer() { cancel(); }

void Timer::arm_at(Clock::time_point when) {
  cancel();
  when_ = when;
  loop_.arm(*this);
}

void Timer::arm_after(Clock::duration delay) { arm_at(loop_.now() + delay); }

void Timer::arm_by(Clock::time_point when) {
  if (!armed_ || when < when_) arm_at(when);
}

void Timer::cancel() noexcept {
  if (armed_) loop_.disarm(*this);
}

}  // namespace netcook::event
