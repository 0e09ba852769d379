#pragma once

// An eventfd one thread signals to wake another out of poll(2). Level
// triggered: it stays readable until the owner clears it, so a wake-up is
// never lost between a check and the next poll.

#include "net/unique_fd.hpp"

namespace netcook::model::thread {

class Wakeup {
 public:
  // Throws std::system_error when no eventfd can be made.
  Wakeup();

  // The descriptor to poll for POLLIN; owned by this object.
  int fd() const noexcept { return fd_.get(); }

  // Thread-safe.
  void signal() noexcept;

  // Makes the eventfd unreadable again; for the thread that polls it.
  void clear() noexcept;

 private:
  net::UniqueFd fd_;
};

}  // namespace netcook::model::thread
