#pragma once

// Timed suspension on a Loop:
//   co_await co::sleep(loop, 50ms);  // resumes at or soon after now + 50ms
//   co_await co::yield(loop);        // lets the loop poll once, then resumes
// The awaiter (and its Timer) lives in the coroutine's frame; destroying
// the frame while it sleeps cancels the timer.

#include "event/loop.hpp"
#include "event/timer.hpp"

#include <coroutine>

namespace netcook::co {

class Sleep {
 public:
  Sleep(event::Loop& loop, event::Clock::time_point until)
      : until_(until), timer_(loop, [this] { waiter_.resume(); }) {}
  Sleep(const Sleep&) = delete;
  Sleep& operator=(const Sleep&) = delete;

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> waiter) {
    waiter_ = waiter;
    timer_.arm_at(until_);
  }
  void await_resume() const noexcept {}

 private:
  event::Clock::time_point until_;
  std::coroutine_handle<> waiter_;  // not owned
  event::Timer timer_;
};

inline Sleep sleep(event::Loop& loop, event::Clock::duration duration) {
  return Sleep(loop, loop.now() + duration);
}

// Resumes after the loop has polled for events once more: gives other
// connections a turn without waiting for anything.
inline Sleep yield(event::Loop& loop) {
  return Sleep(loop, loop.now() + event::Clock::duration(1));
}

}  // namespace netcook::co
