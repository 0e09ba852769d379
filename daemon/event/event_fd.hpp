#pragma once

// An eventfd that one thread signals to wake another out of epoll_wait(2),
// poll(2) or select(2). Level-triggered: it stays readable until the owner
// clears it, so a wake-up is never lost between a check and the next wait.

#include "net/fd.hpp"
#include "net/unique_fd.hpp"

namespace netcook::event {

class EventFd {
 public:
  // Non-blocking, close-on-exec. Throws std::system_error when no eventfd
  // can be made.
  EventFd();

  // The descriptor to wait on for readability; owned by this object.
  net::Fd fd() const noexcept { return fd_.borrow(); }

  // Any thread: makes fd() readable.
  void signal() noexcept;

  // The waiting thread: makes fd() unreadable again.
  void clear() noexcept;

 private:
  net::UniqueFd fd_;
};

}  // namespace netcook::event
