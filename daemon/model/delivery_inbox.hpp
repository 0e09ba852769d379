#pragma once

// Bytes from a listener's Service for connections of one reactor worker,
// queued by other workers' threads (the Service runs on whichever worker
// called it) and taken by the owning worker's loop, in order.

#include "proto/session.hpp"

#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace netcook::model {

class DeliveryInbox {
 public:
  using Delivery = std::pair<proto::ConnectionId, std::string>;

  // Any thread. Returns true when the inbox was empty: the caller then
  // asks the owner's loop to take() (once per batch, not per delivery).
  bool put(proto::ConnectionId to, std::string_view bytes) {
    std::lock_guard lock(mutex_);
    const bool was_empty = queued_.empty();
    queued_.emplace_back(to, std::string(bytes));
    return was_empty;
  }

  // The owner's thread: everything queued so far, oldest first.
  std::vector<Delivery> take() noexcept {
    std::vector<Delivery> batch;
    std::lock_guard lock(mutex_);
    batch.swap(queued_);
    return batch;
  }

 private:
  std::mutex mutex_;
  std::vector<Delivery> queued_;  // guarded by mutex_
};

}  // namespace netcook::model
