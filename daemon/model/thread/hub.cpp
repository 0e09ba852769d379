#include "model/thread/hub.hpp"

#include "model/thread_name.hpp"

namespace netcook::model::thread {
namespace {

std::unique_ptr<proto::Service> make_service(const proto::Protocol& protocol,
                                             proto::ServiceContext context,
                                             const std::shared_ptr<WakeSignal>& wake) {
  if (!protocol.make_service) return nullptr;
  context.wake = wake->handle();
  return protocol.make_service(context);
}

}  // namespace

Hub::Hub(const proto::Protocol& protocol, proto::ServiceContext context, spdlog::logger& log,
         std::string listener)
    : log_(log),
      listener_(std::move(listener)),
      service_(make_service(protocol, std::move(context), wake_)),
      present_(service_ != nullptr) {
  if (present_) wake_->connect([this] { ring(); });
}

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
  stop_waker();
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

void Hub::ring() {
  std::lock_guard lock(waker_mutex_);
  if (waker_done_) return;
  if (!waker_.joinable()) waker_ = std::thread([this] { run_waker(); });
  rung_ = true;
  waker_cv_.notify_one();
}

void Hub::run_waker() noexcept {
  set_thread_name(wake_thread_name(listener_));
  std::unique_lock lock(waker_mutex_);
  for (;;) {
    waker_cv_.wait(lock, [this] { return rung_ || waker_done_; });
    if (waker_done_) return;
    rung_ = false;
    lock.unlock();
    if (wake_->take()) {
      try {
        std::lock_guard service_lock(mutex_);
        if (service_) service_->woken(*this);
      } catch (const std::exception& e) {
        log_.error("service failed on a wake: {}", e.what());
      }
    }
    lock.lock();
  }
}

// After this, no ring starts a thread or reaches this Hub.
void Hub::stop_waker() noexcept {
  wake_->disconnect();
  std::thread waker;
  {
    std::lock_guard lock(waker_mutex_);
    waker_done_ = true;
    waker_cv_.notify_one();
    waker.swap(waker_);
  }
  if (waker.joinable()) waker.join();
}

}  // namespace netcook::model::thread
