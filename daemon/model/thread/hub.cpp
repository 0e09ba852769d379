#include "model/thread/hub.hpp"

namespace netcook::model::thread {

void Hub::join(proto::ConnectionId id, Mailbox& mailbox) {
  std::lock_guard lock(mutex_);
  if (service_) members_.emplace(id, &mailbox);
}

void Hub::message(proto::ConnectionId from, std::string_view message) {
  std::lock_guard lock(mutex_);
  if (service_) service_->message(from, message, *this);
}

void Hub::leave(proto::ConnectionId id) noexcept {
  try {
    std::lock_guard lock(mutex_);
    if (service_ && members_.erase(id) == 1) service_->gone(id, *this);
  } catch (const std::exception& e) {
    log_.error("service failed on a closed connection: {}", e.what());
  }
}

void Hub::close(CloseReason why) noexcept {
  std::lock_guard lock(mutex_);
  if (service_) service_->ended(why);
  service_.reset();
  members_.clear();
}

// Runs with mutex_ held, from inside the Service.
void Hub::deliver(proto::ConnectionId to, std::string_view bytes) {
  const auto it = members_.find(to);
  if (it != members_.end()) it->second->post(bytes);
}

}  // namespace netcook::model::thread
