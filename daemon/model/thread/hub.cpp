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

// Points the Courier's wakes at a call's list while the Service runs
// (mutex_ held), and back at none however the call ends.
class Hub::Waking {
 public:
  Waking(MailboxWakes*& current, MailboxWakes& wakes) noexcept : current_(current) {
    current_ = &wakes;
  }
  Waking(const Waking&) = delete;
  Waking& operator=(const Waking&) = delete;
  ~Waking() { current_ = nullptr; }

 private:
  MailboxWakes*& current_;
};

void Hub::join(proto::ConnectionId id, std::shared_ptr<Mailbox> mailbox) {
  std::lock_guard lock(mutex_);
  if (service_) members_.emplace(id, std::move(mailbox));
}

void Hub::message(proto::ConnectionId from, std::string_view message, MailboxWakes& wakes) {
  std::lock_guard lock(mutex_);
  const Waking waking(wakes_, wakes);
  if (service_) service_->message(from, message, *this);
}

// The others hear who left at once: the connection that leaves has no
// round left to wake them in.
void Hub::leave(proto::ConnectionId id) noexcept {
  MailboxWakes wakes;
  try {
    std::lock_guard lock(mutex_);
    const Waking waking(wakes_, wakes);
    if (service_ && members_.erase(id) == 1) service_->gone(id, *this);
  } catch (const std::exception& e) {
    log_.error("service failed on a closed connection: {}", e.what());
  }
  wakes.wake_all();
}

void Hub::close(CloseReason why) noexcept {
  stop_waker();
  MailboxWakes wakes;
  std::lock_guard lock(mutex_);
  const Waking waking(wakes_, wakes);
  if (service_) service_->ended(why);
  service_.reset();
  members_.clear();
}

// Runs with mutex_ held, from inside the Service, always within a call
// that set wakes_.
void Hub::deliver(proto::ConnectionId to, std::string_view bytes) {
  const auto it = members_.find(to);
  if (it != members_.end() && it->second->post(bytes)) wakes_->add(it->second);
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
      MailboxWakes wakes;
      try {
        std::lock_guard service_lock(mutex_);
        const Waking waking(wakes_, wakes);
        if (service_) service_->woken(*this);
      } catch (const std::exception& e) {
        log_.error("service failed on a wake: {}", e.what());
      }
      wakes.wake_all();
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
