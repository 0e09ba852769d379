#pragma once

// Wakes the select loop from another thread (stop_accepting, teardown): an
// eventfd in the loop's read set.
//
// Why it is made early: eventfd() returns the lowest free descriptor, and
// select(2) only watches descriptors below FD_SETSIZE. The driver makes its
// Wake in its constructor, when the server builds the listener (at start-up
// or on reload), before the driver accepts anything. If even the lowest free
// descriptor is at or above FD_SETSIZE, no descriptor below it is free and
// no select loop could work in this process: the constructor throws.

#include "net/unique_fd.hpp"

namespace netcook::model::select_model {

class Wake {
 public:
  // Throws std::system_error, or std::runtime_error when the eventfd cannot
  // be watched by select(2).
  Wake();

  int fd() const noexcept { return fd_.get(); }

  // Any thread: makes fd() readable.
  void signal() noexcept;

  // The loop thread: makes fd() unreadable again.
  void drain() noexcept;

 private:
  net::UniqueFd fd_;
};

}  // namespace netcook::model::select_model
