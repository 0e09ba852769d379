#include "model/thread/mailbox.hpp"

#include <new>

namespace netcook::model::thread {

bool Mailbox::post(std::string_view bytes) noexcept {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (cut_off_) return false;
    const std::size_t unsent =
        queued_.size() + outbox_size_.load(std::memory_order_relaxed) + bytes.size();
    if (unsent > limit_) {
      cut_off();  // it does not read fast enough
    } else {
      try {
        wake = queued_.empty();
        queued_.append(bytes);
      } catch (const std::bad_alloc&) {
        cut_off();
      }
    }
    wake = wake || cut_off_;
  }
  return wake;
}

void Mailbox::cut_off() noexcept {
  cut_off_ = true;
  std::string().swap(queued_);  // frees its memory
}

pollfd Mailbox::watch(ConnectionCore& core, Clock::time_point) noexcept {
  outbox_size_.store(core.outbox().size(), std::memory_order_relaxed);
  return {wakeup_.fd().get(), POLLIN, 0};
}

// The eventfd is cleared before the queue is emptied: a post() in between
// signals it again, so nothing posted is ever left unnoticed. The queue
// swaps storage with taken_, emptied with its capacity kept: under a steady
// flow of lines the posts append without growing a fresh string each time.
void Mailbox::ready(short, ConnectionCore& core, Clock::time_point) noexcept {
  wakeup_.clear();
  bool cut = false;
  {
    std::lock_guard lock(mutex_);
    cut = cut_off_;
    if (!cut) queued_.swap(taken_);
  }
  if (cut)
    core.cut_off();
  else if (!taken_.empty())
    core.deliver(taken_);
  taken_.clear();
  if (taken_.capacity() > kKeptCapacity) std::string().swap(taken_);
  outbox_size_.store(core.outbox().size(), std::memory_order_relaxed);
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
