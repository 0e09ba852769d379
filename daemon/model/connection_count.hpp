#pragma once

// Counts a listener's open connections across all of a driver's threads and
// enforces max_connections. After drain() the last release() reports that
// the driver is empty.

#include <atomic>
#include <cstddef>
#include <functional>

namespace netcook::model {

class ConnectionCount {
 public:
  ConnectionCount(std::size_t max, std::function<void()> on_drained)
      : max_(max), on_drained_(std::move(on_drained)) {}

  // Reserves a slot; false when max_connections are already open.
  bool try_acquire() noexcept {
    std::size_t current = open_.load(std::memory_order_relaxed);
    do {
      if (current >= max_) return false;
    } while (!open_.compare_exchange_weak(current, current + 1,
                                          std::memory_order_relaxed));
    return true;
  }

  void release() {
    if (open_.fetch_sub(1, std::memory_order_acq_rel) == 1 &&
        draining_.load(std::memory_order_acquire))
      notify();
  }

  // No more connections will be accepted; reports at once when none is open.
  void drain() {
    draining_.store(true, std::memory_order_release);
    if (open_.load(std::memory_order_acquire) == 0) notify();
  }

  std::size_t open() const noexcept { return open_.load(std::memory_order_relaxed); }

 private:
  void notify() {
    if (!notified_.exchange(true) && on_drained_) on_drained_();
  }

  const std::size_t max_;
  const std::function<void()> on_drained_;
  std::atomic<std::size_t> open_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> notified_{false};
};

}  // namespace netcook::model
