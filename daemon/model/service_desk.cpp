#include "model/service_desk.hpp"

namespace netcook::model {

ServiceDesk::ServiceDesk(ServiceHall& hall, unsigned index, event::Loop* loop, spdlog::logger& log)
    : hall_(hall), index_(index), loop_(loop), log_(log) {}

void ServiceDesk::join(proto::ConnectionId id, Member& member) {
  if (present()) members_.emplace(id, &member);
}

void ServiceDesk::send(proto::ConnectionId from, std::string_view message) {
  std::lock_guard lock(hall_.mutex);
  if (hall_.service) hall_.service->message(from, message, *this);
}

void ServiceDesk::leave(proto::ConnectionId id) noexcept {
  if (members_.erase(id) == 0) return;
  try {
    std::lock_guard lock(hall_.mutex);
    if (hall_.service) hall_.service->gone(id, *this);
  } catch (const std::exception& e) {
    log_.error("service failed on a closed connection: {}", e.what());
  }
}

void ServiceDesk::answer_wake() noexcept {
  if (!hall_.wake->take()) return;
  try {
    std::lock_guard lock(hall_.mutex);
    if (hall_.service) hall_.service->woken(*this);
  } catch (const std::exception& e) {
    log_.error("service failed on a wake: {}", e.what());
  }
}

void ServiceDesk::close(ServiceHall& hall, CloseReason why) noexcept {
  std::lock_guard lock(hall.mutex);
  if (hall.service) hall.service->ended(why);
  hall.service.reset();
}

// Courier: runs with the hall's mutex held, so it only queues and wakes.
void ServiceDesk::deliver(proto::ConnectionId to, std::string_view bytes) {
  if (hall_.desks.size() <= 1) {
    deliver_here(to, bytes);
    return;
  }
  const auto worker = static_cast<std::size_t>(to & 0xff);
  if (worker == index_) {
    // Deliveries other workers queued here were made earlier (under the
    // same mutex): they go first, so every receiver sees lines in the
    // order the Service produced them.
    take_posted();
    deliver_here(to, bytes);
  } else if (worker < hall_.desks.size()) {
    hall_.desks[worker]->post(to, bytes);
  }
}

void ServiceDesk::deliver_here(proto::ConnectionId to, std::string_view bytes) noexcept {
  const auto it = members_.find(to);
  if (it != members_.end()) it->second->deliver(bytes);
}

// Any thread: one loop wake-up per batch, not per delivery.
void ServiceDesk::post(proto::ConnectionId to, std::string_view bytes) {
  bool first = false;
  {
    std::lock_guard lock(inbox_mutex_);
    first = inbox_.empty();
    inbox_.emplace_back(to, std::string(bytes));
  }
  if (first) loop_->post([this] { take_posted(); });
}

void ServiceDesk::take_posted() noexcept {
  decltype(inbox_) batch;
  {
    std::lock_guard lock(inbox_mutex_);
    batch.swap(inbox_);
  }
  for (const auto& [to, bytes] : batch) deliver_here(to, bytes);
}

}  // namespace netcook::model
