#pragma once

// ServiceContext::wake as every driver gives it: a pending flag, and a
// "ring" the driver connects to get a turn on a thread it calls the
// Service from (a post to a worker's loop, an eventfd, a condition
// variable). A wake while one is pending costs an atomic exchange: one
// ring per batch, however many wakes, so a storm cannot grow any queue.
//
// Lifetimes: the function in ServiceContext::wake shares this signal, so
// the Service (or a thread of its own, a bus) may keep and call it at any
// time, even after the driver and the Service are gone. The driver
// disconnects before whatever the ring reaches is destroyed; from then on
// a wake only sets the flag. disconnect() waits for a ring in progress,
// so once it has returned no ring runs.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace netcook::model {

class WakeSignal final : public std::enable_shared_from_this<WakeSignal> {
 public:
  using Ring = std::function<void()>;

  static std::shared_ptr<WakeSignal> make() { return std::make_shared<WakeSignal>(); }

  // For ServiceContext::wake.
  std::function<void()> handle() {
    return [signal = shared_from_this()] { signal->wake(); };
  }

  // Any thread. Throws what the ring throws (out of memory posting to a
  // loop): the wake is then not pending, and the next one rings again.
  void wake() {
    if (pending_.exchange(true, std::memory_order_acq_rel)) return;
    std::lock_guard lock(mutex_);
    if (!ring_) return;  // not connected yet (it rings on connect) or any more
    try {
      ring_();
    } catch (...) {
      pending_.store(false, std::memory_order_release);
      throw;
    }
  }

  // The driver, once what `ring` reaches exists: rings at once if a wake
  // came before. `ring` is called with this signal's mutex held, from any
  // thread: it must only hand the turn over (never call the Service).
  // Should that first ring throw, the signal stays disconnected (the
  // driver then fails to start, and what the ring reaches goes).
  void connect(Ring ring) {
    std::lock_guard lock(mutex_);
    ring_ = std::move(ring);
    if (!pending_.load(std::memory_order_acquire)) return;
    try {
      ring_();
    } catch (...) {
      ring_ = nullptr;
      throw;
    }
  }

  // The driver's teardown, before what the ring reaches goes: no ring runs
  // once this returns.
  void disconnect() noexcept {
    std::lock_guard lock(mutex_);
    ring_ = nullptr;
  }

  // Any thread: whether the driver still answers wakes (a turn the ring
  // handed over may check it, on the thread that disconnects).
  bool connected() noexcept {
    std::lock_guard lock(mutex_);
    return static_cast<bool>(ring_);
  }

  // The driver's turn, just before it calls woken(): true when a wake is
  // pending. It no longer is, so a wake during woken() rings again; a turn
  // that finds none (a ring doubled by connect) calls nothing.
  bool take() noexcept { return pending_.exchange(false, std::memory_order_acq_rel); }

 private:
  std::atomic<bool> pending_{false};
  std::mutex mutex_;
  Ring ring_;  // guarded by mutex_
};

}  // namespace netcook::model
