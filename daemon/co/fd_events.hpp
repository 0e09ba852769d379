#pragma once

// Readiness of one file descriptor for coroutines. The fd is registered
// with the Loop once, edge-triggered for both directions; an edge is
// remembered until an I/O call reports EAGAIN (read_blocked() /
// write_blocked()), so awaiting costs no epoll_ctl and nothing on the heap:
// the awaiter lives in the awaiting coroutine's frame.
//
//   switch (co_await events.readable(deadline)) { ready, timeout, error, woken }
//
// One coroutine waits on an FdEvents at a time. Does not own the fd: its
// owner closes it after this is destroyed. Used on the loop's thread only.

#include "event/deferred.hpp"
#include "event/loop.hpp"
#include "event/readiness.hpp"
#include "event/registration.hpp"
#include "event/timer.hpp"
#include "net/fd.hpp"

#include <coroutine>
#include <cstdint>

#include <sys/epoll.h>

namespace netcook::co {

using Deadline = event::Clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();

// How a wait ended. Values, not exceptions.
enum class Ready {
  ready,    // the fd is (or may be) ready: try the I/O
  timeout,  // the deadline passed first
  error,    // epoll reported EPOLLERR
  woken,    // wake() was called (e.g. the Service queued output)
};

class FdEvents final : private event::Watcher {
 public:
  static constexpr std::uint32_t kBothEdges = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

  // Registers `fd` with `events` (e.g. EPOLLIN | EPOLLEXCLUSIVE | EPOLLET
  // for a listening socket). Throws std::system_error.
  FdEvents(event::Loop& loop, net::Fd fd, std::uint32_t events = kBothEdges);
  FdEvents(const FdEvents&) = delete;
  FdEvents& operator=(const FdEvents&) = delete;
  // Unregisters. A coroutine still waiting here is not resumed: it is being
  // destroyed with the frame that holds this.
  ~FdEvents();

  enum Interest : unsigned { kRead = 1, kWrite = 2 };

  class Wait;
  // Awaitables; a wait on an fd already known ready does not suspend.
  // wait() ends when either direction in `interest` may be ready, or on an
  // error unless `interest` is empty (a wait for the deadline or a wake).
  Wait wait(unsigned interest, Deadline deadline = kNoDeadline) noexcept;
  Wait readable(Deadline deadline = kNoDeadline) noexcept;
  Wait writable(Deadline deadline = kNoDeadline) noexcept;

  // Readiness as far as we know: set by epoll edges, cleared by whoever
  // does the I/O when it says EAGAIN (directly, or through read_blocked()
  // and write_blocked()).
  event::Readiness& readiness() noexcept { return ready_; }
  bool maybe_readable() const noexcept { return ready_.readable; }
  bool maybe_writable() const noexcept { return ready_.writable; }
  void read_blocked() noexcept { ready_.readable = false; }
  // True once epoll reported the peer's end of stream (or a hangup or an
  // error). Until then a short read drains the socket: with edge
  // triggering, data that arrives later raises a new edge.
  bool peer_hung_up() const noexcept { return ready_.hung_up; }
  void write_blocked() noexcept { ready_.writable = false; }

  // Ends the current wait with Ready::woken — soon (Loop::defer), never
  // from inside this call, so a caller holding a lock is never re-entered.
  // With no wait in progress, the next wait returns woken at once.
  void wake() noexcept;

  net::Fd fd() const noexcept { return registration_.fd(); }
  event::Loop& loop() const noexcept { return loop_; }

 private:
  void on_ready(std::uint32_t events) noexcept override;
  bool settle(unsigned interest) noexcept;
  void suspend(std::coroutine_handle<> waiter, unsigned interest, Deadline deadline) noexcept;
  void on_deadline() noexcept;
  void on_wake() noexcept;
  void resume() noexcept;

  event::Loop& loop_;
  event::Registration registration_;
  event::Readiness ready_;  // unknown counts as ready: try the I/O first
  bool failed_ = false;  // EPOLLERR seen
  bool woken_ = false;   // wake() not yet reported

  std::coroutine_handle<> waiter_;  // not owned
  unsigned interest_ = 0;
  Deadline deadline_ = kNoDeadline;
  Ready result_ = Ready::ready;

  // Armed lazily, at or before deadline_ (Timer::arm_by), and re-armed
  // when it fires early: a connection whose deadline moves on with every
  // message re-arms it once per timeout period, not once per wait.
  event::Timer deadline_timer_;
  event::Deferred wake_turn_;
};

class FdEvents::Wait {
 public:
  Wait(FdEvents& events, unsigned interest, Deadline deadline) noexcept
      : events_(events), interest_(interest), deadline_(deadline) {}

  bool await_ready() const noexcept { return events_.settle(interest_); }
  void await_suspend(std::coroutine_handle<> waiter) const noexcept {
    events_.suspend(waiter, interest_, deadline_);
  }
  Ready await_resume() const noexcept { return events_.result_; }

 private:
  FdEvents& events_;
  unsigned interest_;
  Deadline deadline_;
};

inline FdEvents::Wait FdEvents::wait(unsigned interest, Deadline deadline) noexcept {
  return Wait(*this, interest, deadline);
}

inline FdEvents::Wait FdEvents::readable(Deadline deadline) noexcept {
  return wait(kRead, deadline);
}

inline FdEvents::Wait FdEvents::writable(Deadline deadline) noexcept {
  return wait(kWrite, deadline);
}

}  // namespace netcook::co
