#pragma once

// One of a listener's max_connections places, held by one connection from
// accept() to close, with its place among its source's
// max_connections_per_source when that applies: released when the Slot is
// destroyed, so a connection that is torn down (or never starts) gives its
// places back all the same.

#include "model/connection_count.hpp"
#include "model/source_guard.hpp"

#include <utility>

namespace netcook::model {

class Slot {
 public:
  Slot() noexcept = default;
  // Takes a place if one is free; test with operator bool.
  // Takes a place if one is free, keeping `source` with it; test with
  // operator bool (when none is free, `source` is given back at once).
  explicit Slot(ConnectionCount& count, SourceHold source = {}) noexcept
      : count_(count.try_acquire() ? &count : nullptr) {
    if (count_) source_ = std::move(source);
  }
  Slot(Slot&& other) noexcept
      : count_(std::exchange(other.count_, nullptr)), source_(std::move(other.source_)) {}
  Slot& operator=(Slot&& other) noexcept {
    if (this != &other) {
      release();
      count_ = std::exchange(other.count_, nullptr);
      source_ = std::move(other.source_);
    }
    return *this;
  }
  ~Slot() { release(); }

  explicit operator bool() const noexcept { return count_ != nullptr; }

  // Gives the place back now (the count's drain report may run here).
  void release() noexcept {
    source_.release();
    if (auto* count = std::exchange(count_, nullptr)) count->release();
  }

 private:
  ConnectionCount* count_ = nullptr;  // not owned; null once moved from or when full
  SourceHold source_;
};

}  // namespace netcook::model
