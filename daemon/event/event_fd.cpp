#include "event/event_fd.hpp"

#include <cerrno>
#include <system_error>

#include <sys/eventfd.h>

namespace netcook::event {

EventFd::EventFd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
}

// The counter cannot overflow in practice (2^64 - 2 signals), and a failed
// write on a non-blocking eventfd only means it is readable already.
void EventFd::signal() noexcept {
  ::eventfd_write(fd_.get(), 1);
}

void EventFd::clear() noexcept {
  eventfd_t count = 0;
  ::eventfd_read(fd_.get(), &count);
}

}  // namespace netcook::event
