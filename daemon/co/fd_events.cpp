#include "co/fd_events.hpp"

#include <utility>

namespace netcook::co {

FdEvents::FdEvents(event::Loop& loop, net::Fd fd, std::uint32_t events)
    : loop_(loop),
      registration_(loop, fd, *this, events),
      deadline_timer_(loop, [this] { on_deadline(); }),
      wake_turn_(loop, [this] { on_wake(); }) {}

FdEvents::~FdEvents() = default;

// Decides whether a wait for `interest` is over, and how; false to wait on.
bool FdEvents::settle(unsigned interest) noexcept {
  if (woken_) {
    woken_ = false;
    result_ = Ready::woken;
    return true;
  }
  if (failed_ && interest != 0) {
    result_ = Ready::error;
    return true;
  }
  if (((interest & kRead) && ready_.readable) || ((interest & kWrite) && ready_.writable)) {
    result_ = Ready::ready;
    return true;
  }
  return false;
}

void FdEvents::suspend(std::coroutine_handle<> waiter, unsigned interest,
                       Deadline deadline) noexcept {
  waiter_ = waiter;
  interest_ = interest;
  deadline_ = deadline;
  if (deadline != kNoDeadline) deadline_timer_.arm_by(deadline);
}

void FdEvents::on_ready(std::uint32_t events) noexcept {
  ready_.note(events);
  if (events & EPOLLERR) failed_ = true;
  if (waiter_ && settle(interest_)) resume();
}

void FdEvents::on_deadline() noexcept {
  if (!waiter_ || deadline_ == kNoDeadline) return;
  if (loop_.now() < deadline_) {
    deadline_timer_.arm_at(deadline_);  // it fired for an earlier deadline
    return;
  }
  result_ = Ready::timeout;
  resume();
}

void FdEvents::wake() noexcept {
  woken_ = true;
  if (waiter_) wake_turn_.schedule();
}

void FdEvents::on_wake() noexcept {
  if (waiter_ && settle(interest_)) resume();
}

// The coroutine may finish and destroy this FdEvents before resume()
// returns: nothing here touches `this` afterwards.
void FdEvents::resume() noexcept { std::exchange(waiter_, {}).resume(); }

}  // namespace netcook::co
