#pragma once

// Bytes the listener's Service delivers to one connection from other
// threads, waiting for the connection's own thread to move them into its
// core. Capped: a delivery that would take the connection's unsent output
// (queued here plus its Outbox) past the limit cuts the connection off
// instead. Posting wakes the owner through an eventfd it polls.

#include "event/event_fd.hpp"
#include "model/connection_core.hpp"
#include "model/poll_loop.hpp"

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace netcook::model::thread {

// The owner's side is a side channel of its poll loop.
class Mailbox final : public SideChannel {
 public:
  // Throws std::system_error when no eventfd can be made.
  explicit Mailbox(std::size_t limit) : limit_(limit) {}

  // Thread-safe. Queues `bytes`, or cuts the connection off when they do
  // not fit; ignored once cut off.
  void post(std::string_view bytes) noexcept;

  // SideChannel, for the owner: readable after a post(); moves what was
  // posted into the core (or cuts it off).
  pollfd watch(ConnectionCore& core, Clock::time_point now) noexcept override;
  void ready(short revents, ConnectionCore& core, Clock::time_point now) noexcept override;

 private:
  void cut_off() noexcept;  // with mutex_ held

  const std::size_t limit_;
  event::EventFd wakeup_;
  // The owner's Outbox size, as of its last round, counted against the limit.
  std::atomic<std::size_t> outbox_size_{0};
  std::mutex mutex_;
  std::string queued_;    // guarded
  bool cut_off_ = false;  // guarded
};

}  // namespace netcook::model::thread
