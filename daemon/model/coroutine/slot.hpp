#pragma once

// One of a listener's max_connections places, held by one connection from
// accept() to close: released when the Slot is destroyed, so a connection
// whose coroutine is destroyed at teardown (or never starts) gives its place
// back all the same.

#include "model/connection_count.hpp"

#include <utility>

namespace netcook::model::coroutine {

class Slot {
 public:
  // Takes a place if one is free; test with operator bool.
  explicit Slot(ConnectionCount& count) noexcept
      : count_(count.try_acquire() ? &count : nullptr) {}
  Slot(Slot&& other) noexcept : count_(std::exchange(other.count_, nullptr)) {}
  Slot& operator=(Slot&&) = delete;
  ~Slot() {
    if (count_) count_->release();
  }

  explicit operator bool() const noexcept { return count_ != nullptr; }

 private:
  ConnectionCount* count_;  // not owned; null once moved from or when full
};

}  // namespace netcook::model::coroutine
