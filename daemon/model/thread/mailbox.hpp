#pragma once

// Bytes the listener's Service delivers to one connection from other
// threads, waiting for the connection's own thread to move them into its
// core. Capped: a connection whose unsent output (queued here plus its
// Outbox) would pass the limit is cut off, by its core as it takes a batch
// (ConnectionCore::deliver, which sees its Outbox as it is), or here when
// the queue alone would (the owner does not even take its mail). Posters
// see the Outbox's size as of the owner's last round, for when to wake it
// only: just after a write that size is stale, and cutting on it cut off
// readers that had read everything.
//
// The owner is woken through an eventfd it polls, once per batch: only a
// post that finds the queue empty (or cuts the connection off) asks for a
// wake, and the poster may give it later, out of its locks (MailboxWakes),
// so that a line for 199 members costs each at most one wake per poster's
// round, however many lines the round carries.
//
// A busy owner takes its mail in turns, as a reactor's connection gets its
// deliveries once per turn of its loop: after a batch of kBusyBatch bytes
// or more, or one that came soon after the last, what arrives in the next
// kTurn (kThinTurn after a small batch) waits for the turn's end, and only
// then is taken, without a wake (unless the last turn gathered next to
// nothing: see take()). A wake per batch costs the owner a wake-up, a poll
// and a write whatever the batch holds: with 200 members saturating a room,
// turns cut the server's CPU per delivered line several times over (and,
// with that CPU given back, the room carries more lines, sooner). Its peer,
// too, is read once per full turn (its reading held the rest of it), not on
// a wake-up per line it sends. Thin turns keep a moderate flow's delay
// short (200 members at 500 lines/s in all: p50 4.5 ms, where full turns
// for all gave 38). Quiet owners are woken at once as ever; and lest a fast
// reader be cut off while it waits, a queue past half the limit wakes the
// owner before its turn ends.

#include "event/event_fd.hpp"
#include "model/connection_core.hpp"
#include "model/poll_loop.hpp"

#include <atomic>
#include <chrono>
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

  // Thread-safe. Queues `bytes`, or cuts the connection off when the queue
  // cannot hold them; ignored once cut off. True when the owner must be woken
  // (wake()): the queue was empty (and the owner not between turns), its
  // unsent output has just passed half the limit, or the connection has
  // just been cut off. Until that wake, later posts queue behind it without
  // asking again.
  [[nodiscard]] bool post(std::string_view bytes) noexcept;

  // Thread-safe: the owner's next poll returns, and it takes what is queued.
  void wake() noexcept { wakeup_.signal(); }

  // SideChannel, for the owner: readable after a post(); moves what was
  // posted into the core (or cuts it off), and so does the end of a turn.
  // Holds the core's reading within a turn (ConnectionCore::hold_reading).
  pollfd watch(ConnectionCore& core, Clock::time_point now) noexcept override;
  void ready(short revents, ConnectionCore& core, Clock::time_point now) noexcept override;
  Clock::time_point deadline() const noexcept override { return turn_ends_; }

  // A batch at least this big, or any batch within kRecent of the last,
  // means the owner is busy: it takes turns.
  static constexpr std::size_t kBusyBatch = 4 * 1024;
  static constexpr Clock::duration kTurn = std::chrono::milliseconds(40);
  static constexpr Clock::duration kRecent = 2 * kTurn;  // a turn's end is "soon"
  // A turn after a small batch: mail that keeps coming thinly is batched
  // for less time, and the peer's reading is not held.
  static constexpr Clock::duration kThinTurn = std::chrono::milliseconds(10);
  // A turn that gathers fewer posts (and no big batch) was not worth it:
  // then, for kTurnsRest, mail is taken at once.
  static constexpr std::size_t kWorthyTurn = 4;
  static constexpr Clock::duration kTurnsRest = std::chrono::seconds(1);

 private:
  // The storage kept between batches; a bigger one (a burst's) is freed.
  static constexpr std::size_t kKeptCapacity = 16 * 1024;

  bool passes_half(std::size_t more) const noexcept;  // with mutex_ held
  void cut_off() noexcept;                            // with mutex_ held
  // Moves what is queued into the core (or cuts it off), and starts a turn
  // if that was a busy batch; `turn_ended` when a turn's end is the cue.
  void take(ConnectionCore& core, Clock::time_point now, bool turn_ended) noexcept;

  const std::size_t limit_;
  event::EventFd wakeup_;
  // The owner's Outbox size, as of its last round: for the wake at half the
  // limit.
  std::atomic<std::size_t> outbox_size_{0};
  std::mutex mutex_;
  std::string queued_;     // guarded
  std::size_t posts_ = 0;  // guarded: deliveries in queued_
  bool cut_off_ = false;   // guarded
  // Guarded; written by the owner only. While set, a post to an empty
  // queue wakes nobody: the owner takes it when its turn ends.
  bool in_turn_ = false;
  // The owner's: the last batch's storage, empty.
  std::string taken_;
  // The owner's: when the current turn ends (max() when in none).
  Clock::time_point turn_ends_ = Clock::time_point::max();
  // The owner's: when it last took a batch (not an empty queue).
  Clock::time_point last_take_{};
  // The owner's: until then, no turns.
  Clock::time_point no_turns_until_{};
  // The owner's: its peer is still to be read once in this turn.
  bool read_due_ = false;
  // The owner's: the turn began with a big batch (kTurn, reading held).
  bool full_turn_ = false;
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
