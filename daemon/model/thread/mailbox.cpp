#include "model/thread/mailbox.hpp"

#include <new>

namespace netcook::model::thread {

void Mailbox::post(std::string_view bytes) noexcept {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (cut_off_) return;
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
  if (wake) wakeup_.signal();
}

void Mailbox::cut_off() noexcept {
  cut_off_ = true;
  std::string().swap(queued_);  // frees its memory
}

// The eventfd is cleared before the queue is emptied: a post() in between
// signals it again, so nothing posted is ever left unnoticed.
bool Mailbox::take(proto::Outbox& out) {
  wakeup_.clear();
  std::string batch;
  {
    std::lock_guard lock(mutex_);
    if (cut_off_) return false;
    batch.swap(queued_);
  }
  out.append(batch);
  report(out.size());
  return true;
}

}  // namespace netcook::model::thread
