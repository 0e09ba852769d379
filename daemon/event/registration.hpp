#pragma once

// A file descriptor's place in a Loop's epoll set, owned: registered while
// this object says so, with the event mask it remembers, and unregistered
// when it is cancelled or destroyed. Nobody calls epoll_ctl(2) by hand.
//
// The Registration owns neither the descriptor nor the watcher: both must
// outlive it (or, for the descriptor, it must be cancelled before the
// descriptor closes). Used on its loop's thread only, except that a loop
// not yet running may be set up from any one thread.

#include "event/loop.hpp"
#include "net/fd.hpp"

#include <cstdint>

namespace netcook::event {

class Registration {
 public:
  // Not registered yet: watch() registers.
  Registration(Loop& loop, net::Fd fd, Watcher& watcher) noexcept
      : loop_(loop), fd_(fd), watcher_(watcher) {}
  // Registered at once for `events`; throws std::system_error.
  Registration(Loop& loop, net::Fd fd, Watcher& watcher, std::uint32_t events);
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;
  ~Registration() { cancel(); }

  // Registers for `events` (an epoll mask: EPOLLIN, EPOLLET, ...), or
  // changes the mask of a registration (nothing to do when it is the same).
  // Throws std::system_error; the registration is as before then. A mask
  // with EPOLLEXCLUSIVE cannot be changed, only cancelled and watched again.
  void watch(std::uint32_t events);

  // Unregisters; does nothing when not registered.
  void cancel() noexcept;

  bool active() const noexcept { return active_; }
  // The registered mask; meaningful while active().
  std::uint32_t events() const noexcept { return events_; }
  net::Fd fd() const noexcept { return fd_; }

 private:
  Loop& loop_;
  const net::Fd fd_;
  Watcher& watcher_;
  std::uint32_t events_ = 0;
  bool active_ = false;
};

}  // namespace netcook::event
