#pragma once

// One of a listener's max_connections places, held by one connection from
// accept() to close: released when the Slot is destroyed, so a connection
// that is torn down (or never starts) gives its place back all the same.

#include "model/connection_count.hpp"

#include <utility>

namespace netcook::model {

class Slot {
 public:
  Slot() noexcept = default;
  // Takes a place if one is free; test with operator bool.
  explicit Slot(ConnectionCount& count) noexcept : count_(count.try_acquire() ? &count : nullptr) {}
  Slot(Slot&& other) noexcept : count_(std::exchange(other.count_, nullptr)) {}
  Slot& operator=(Slot&& other) noexcept {
    if (this != &other) {
      release();
      count_ = std::exchange(other.count_, nullptr);
    }
    return *this;
  }
  ~Slot() { release(); }

  explicit operator bool() const noexcept { return count_ != nullptr; }

  // Gives the place back now (the count's drain report may run here).
  void release() noexcept {
    if (auto* count = std::exchange(count_, nullptr)) count->release();
  }

 private:
  ConnectionCount* count_ = nullptr;  // not owned; null once moved from or when full
};

}  // namespace netcook::model
