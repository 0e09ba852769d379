#include "co/fd_events.hpp"

#include <utility>

namespace netcook::co {

FdEvents::FdEvents(event::Loop& loop, int fd, std::uint32_t events)
    : loop_(loop),
      fd_(fd),
      deadline_timer_(loop, [this] { on_deadline(); }),
      wake_timer_(loop, [this] { on_wake(); }) {
  loop_.add(fd_, events, *this);
}

FdEvents::~FdEvents() { loop_.remove(fd_); }

// Decides whether a wait for `interest` is over, and how; false to wait on.
bool FdEvents::settle(unsigned interest) noexcept {
  if (woken_) {
    woken_ = false;
    result_ = Ready::woken;
    return true;
  }
  if (failed_) {
    result_ = Ready::error;
    return true;
  }
  if (((interest & kRead) && readable_) || ((interest & kWrite) && writable_)) {
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
  if (deadline != kNoDeadline &&
      (!deadline_timer_.armed() || deadline_timer_.when() > deadline))
    deadline_timer_.arm_at(deadline);
}

void FdEvents::on_ready(std::uint32_t events) noexcept {
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) readable_ = true;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) writable_ = true;
  if (events & EPOLLERR) failed_ = true;
  if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) hung_up_ = true;
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
  // loop_.now(): after the events at hand, in this same loop iteration.
  if (waiter_ && !wake_timer_.armed()) wake_timer_.arm_at(loop_.now());
}

void FdEvents::on_wake() noexcept {
  if (waiter_ && settle(interest_)) resume();
}

// The coroutine may finish and destroy this FdEvents before resume()
// returns: nothing here touches `this` afterwards.
void FdEvents::resume() noexcept { std::exchange(waiter_, {}).resume(); }

}  // namespace netcook::co
