#pragma once

// Bytes the listener's Service delivers to one connection from other
// threads, waiting for the connection's own thread to move them into its
// Outbox. Capped: a delivery that would take the connection's unsent output
// (queued here plus its Outbox) past the limit cuts the connection off
// instead. Posting wakes the owner through an eventfd it polls.

#include "model/thread/wakeup.hpp"
#include "proto/outbox.hpp"

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace netcook::model::thread {

class Mailbox {
 public:
  // Throws std::system_error when no eventfd can be made.
  explicit Mailbox(std::size_t limit) : limit_(limit) {}

  // Thread-safe. Queues `bytes`, or cuts the connection off when they do
  // not fit; ignored once cut off.
  void post(std::string_view bytes) noexcept;

  // For the owner: the descriptor to poll; readable after a post().
  int fd() const noexcept { return wakeup_.fd(); }

  // For the owner: moves what was posted to the end of `out`. Returns false
  // when the connection has been cut off and must end.
  bool take(proto::Outbox& out);

  // For the owner: the size of its Outbox now, counted against the limit.
  void report(std::size_t outbox_size) noexcept {
    outbox_size_.store(outbox_size, std::memory_order_relaxed);
  }

 private:
  void cut_off() noexcept;  // with mutex_ held

  const std::size_t limit_;
  Wakeup wakeup_;
  std::atomic<std::size_t> outbox_size_{0};
  std::mutex mutex_;
  std::string queued_;     // guarded
  bool cut_off_ = false;   // guarded
};

}  // namespace netcook::model::thread
