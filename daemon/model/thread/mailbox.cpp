#include "model/thread/mailbox.hpp"

#include <new>
#include <utility>

namespace netcook::model::thread {

bool Mailbox::post(std::string_view bytes) noexcept {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (cut_off_) return false;
    if (queued_.size() + bytes.size() > limit_) {
      cut_off();  // it does not even take what it is sent
    } else {
      try {
        wake = in_turn_ ? passes_half(bytes.size()) : queued_.empty();
        queued_.append(bytes);
        ++posts_;
      } catch (const std::bad_alloc&) {
        cut_off();
      }
    }
    wake = wake || cut_off_;
  }
  return wake;
}

// The queue, or the owner's unsent output as posters see it (its Outbox
// stale, perhaps), passes half the limit with `more` bytes: time the owner
// took its mail, turn or not.
bool Mailbox::passes_half(std::size_t more) const noexcept {
  const std::size_t half = limit_ / 2;
  const auto passes = [half, more](std::size_t before) {
    return before <= half && before + more > half;
  };
  return passes(queued_.size()) ||
         passes(queued_.size() + outbox_size_.load(std::memory_order_relaxed));
}

void Mailbox::cut_off() noexcept {
  cut_off_ = true;
  std::string().swap(queued_);  // frees its memory
}

// A turn that has ended is the owner's cue to take its mail: nobody woke
// it for what arrived meanwhile.
//
// Within a turn the owner's peer is read once, the round after the turn
// began, then not until the turn ends: a busy member's own lines, too,
// are read once per turn rather than one wake-up each.
pollfd Mailbox::watch(ConnectionCore& core, Clock::time_point now) noexcept {
  if (now >= turn_ends_) take(core, now, true);
  core.hold_reading(full_turn_ && !read_due_);
  read_due_ = false;
  outbox_size_.store(core.outbox().size(), std::memory_order_relaxed);
  return {wakeup_.fd().get(), POLLIN, 0};
}

// The eventfd is cleared before the queue is emptied: a post() in between
// signals it again, so nothing posted is ever left unnoticed.
void Mailbox::ready(short, ConnectionCore& core, Clock::time_point now) noexcept {
  wakeup_.clear();
  take(core, now, false);
  outbox_size_.store(core.outbox().size(), std::memory_order_relaxed);
}

// Busy is a big batch, or mail again soon after the last: mail that keeps
// coming is taken in turns however thin its flow (a room slowed by a busy
// machine sends small batches, and waking for each of those would slow it
// further). But a turn that gathered next to nothing means the owner's
// peer waits for it (lines exchanged one at a time through the room):
// turns would only slow that exchange down, so there are none for a while.
//
// The queue swaps storage with taken_, emptied with its capacity kept:
// under a steady flow of lines the posts append without growing a fresh
// string each time.
void Mailbox::take(ConnectionCore& core, Clock::time_point now, bool turn_ended) noexcept {
  bool cut = false;
  bool busy = false;
  bool big = false;
  {
    std::lock_guard lock(mutex_);
    cut = cut_off_;
    if (!cut) queued_.swap(taken_);
    const std::size_t posts = std::exchange(posts_, 0);
    big = taken_.size() >= kBusyBatch;
    if (turn_ended && !big && posts < kWorthyTurn) no_turns_until_ = now + kTurnsRest;
    busy = !taken_.empty() && (big || now - last_take_ < kRecent) && now >= no_turns_until_;
    in_turn_ = busy;
  }
  if (!taken_.empty()) last_take_ = now;
  full_turn_ = busy && big;
  turn_ends_ = busy ? now + (full_turn_ ? kTurn : kThinTurn) : Clock::time_point::max();
  read_due_ = busy;
  if (cut)
    core.cut_off();
  else if (!taken_.empty())
    core.deliver(taken_);
  taken_.clear();
  if (taken_.capacity() > kKeptCapacity) std::string().swap(taken_);
}

void MailboxWakes::add(const std::shared_ptr<Mailbox>& mailbox) noexcept {
  try {
    due_.push_back(mailbox);
  } catch (const std::bad_alloc&) {
    mailbox->wake();
  }
}

void MailboxWakes::wake_all() noexcept {
  for (const auto& mailbox : due_) mailbox->wake();
  due_.clear();
}

}  // namespace netcook::model::thread
