#pragma once

// Bytes the listener's Service delivers to one connection from other
// threads, waiting for the connection's own thread to move them into its
// core. Capped: a delivery that would take the connection's unsent output
// (queued here plus its Outbox) past the limit cuts the connection off
// instead. The owner is woken through an eventfd it polls, once per batch:
// only a post that finds the queue empty (or cuts the connection off) asks
// for a wake, and the poster may give it later, out of its locks
// (MailboxWakes), so that a line for 199 members costs each at most one
// wake per poster's round, however many lines the round carries.

#include "event/event_fd.hpp"
#include "model/connection_core.hpp"
#include "model/poll_loop.hpp"

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::model::thread {

// The owner's side is a side channel of its poll loop.
class Mailbox final : public SideChannel {
 public:
  // Throws std::system_error when no eventfd can be made.
  explicit Mailbox(std::size_t limit) : limit_(limit) {}

  // Thread-safe. Queues `bytes`, or cuts the connection off when they do
  // not fit; ignored once cut off. True when the owner must be woken
  // (wake()): the queue was empty, or the connection has just been cut off.
  // Until that wake, later posts queue behind it without asking again.
  [[nodiscard]] bool post(std::string_view bytes) noexcept;

  // Thread-safe: the owner's next poll returns, and it takes what is queued.
  void wake() noexcept { wakeup_.signal(); }

  // SideChannel, for the owner: readable after a post(); moves what was
  // posted into the core (or cuts it off).
  pollfd watch(ConnectionCore& core, Clock::time_point now) noexcept override;
  void ready(short revents, ConnectionCore& core, Clock::time_point now) noexcept override;

 private:
  // The storage kept between batches; a bigger one (a burst's) is freed.
  static constexpr std::size_t kKeptCapacity = 16 * 1024;

  void cut_off() noexcept;  // with mutex_ held

  const std::size_t limit_;
  event::EventFd wakeup_;
  // The owner's Outbox size, as of its last round, counted against the limit.
  std::atomic<std::size_t> outbox_size_{0};
  std::mutex mutex_;
  std::string queued_;    // guarded
  bool cut_off_ = false;  // guarded
  std::string taken_;     // the owner's: the last batch's storage, empty
};

// The mailboxes one thread's posts asked to wake, woken together once that
// thread holds no lock: a connection's round of messages to the Service, or
// one Service call of the Hub's. Shares each mailbox, whose owner may leave
// meanwhile (a wake then reaches nobody). Not thread-safe: its thread's own.
class MailboxWakes {
 public:
  MailboxWakes() = default;
  MailboxWakes(const MailboxWakes&) = delete;
  MailboxWakes& operator=(const MailboxWakes&) = delete;
  ~MailboxWakes() { wake_all(); }

  // `mailbox`'s post() asked for a wake. Should no memory be left to note
  // it, the wake is given at once.
  void add(const std::shared_ptr<Mailbox>& mailbox) noexcept;
  // Wakes every mailbox noted and forgets them (the capacity stays).
  void wake_all() noexcept;

 private:
  std::vector<std::shared_ptr<Mailbox>> due_;
};

}  // namespace netcook::model::thread
