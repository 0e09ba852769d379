#pragma once

// Timed suspension on a Loop:
//   co_await co::sleep(loop, 50ms);  // resumes at or soon after now + 50ms
//   co_await co::yield(loop);        // lets the loop poll once, then resumes
// The awaiter (and its Timer or Deferred) lives in the coroutine's frame;
// destroying the frame while it waits cancels the timer.

#include "event/deferred.hpp"
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

// Resumes on the loop's next turn (Loop::defer), after it has polled for
// events once more: gives other connections a turn without waiting for
// anything.
class Yield {
 public:
  explicit Yield(event::Loop& loop) : turn_(loop, [this] { waiter_.resume(); }) {}
  Yield(const Yield&) = delete;
  Yield& operator=(const Yield&) = delete;

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> waiter) noexcept {
    waiter_ = waiter;
    turn_.schedule();
  }
  void await_resume() const noexcept {}

 private:
  std::coroutine_handle<> waiter_;  // not owned
  event::Deferred turn_;
};

inline Yield yield(event::Loop& loop) { return Yield(loop); }

}  // namespace netcook::co
