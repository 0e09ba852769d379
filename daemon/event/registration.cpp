#include "event/registration.hpp"

namespace netcook::event {

Registration::Registration(Loop& loop, net::Fd fd, Watcher& watcher, std::uint32_t events)
    : Registration(loop, fd, watcher) {
  watch(events);
}

void Registration::watch(std::uint32_t events) {
  if (active_) {
    if (events == events_) return;
    loop_.modify(fd_.get(), events, watcher_);
  } else {
    loop_.add(fd_.get(), events, watcher_);
    active_ = true;
  }
  events_ = events;
}

void Registration::cancel() noexcept {
  if (!active_) return;
  loop_.remove(fd_.get());
  active_ = false;
}

}  // namespace netcook::event
