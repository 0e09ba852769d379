#include "event/loop.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <system_error>

#include <sys/epoll.h>
#include <sys/eventfd.h>

namespace netcook::event {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

constexpr int kMaxEvents = 256;

}  // namespace

// Drains the eventfd that post() and stop() write to.
class Loop::Wakeup final : public Watcher {
 public:
  explicit Wakeup(int fd) : fd_(fd) {}
  void on_ready(std::uint32_t) noexcept override {
    eventfd_t value = 0;
    ::eventfd_read(fd_, &value);
  }

 private:
  int fd_;
};

Loop::Loop()
    : epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      now_(Clock::now()) {
  if (!epoll_) throw_errno("epoll_create1");
  if (!wake_fd_) throw_errno("eventfd");
}

Loop::~Loop() = default;

void Loop::add(int fd, std::uint32_t events, Watcher& watcher) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = &watcher;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0)
    throw_errno("epoll_ctl(ADD)");
}

void Loop::modify(int fd, std::uint32_t events, Watcher& watcher) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = &watcher;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event) != 0)
    throw_errno("epoll_ctl(MOD)");
}

bool Loop::remove(int fd) noexcept {
  return ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr) == 0;
}

void Loop::run() {
  Wakeup wakeup(wake_fd_.get());
  add(wake_fd_.get(), EPOLLIN, wakeup);
  running_ = true;
  std::array<epoll_event, kMaxEvents> events{};
  while (running_) {
    const int count =
        ::epoll_wait(epoll_.get(), events.data(), kMaxEvents, next_timeout_ms());
    if (count < 0 && errno != EINTR) throw_errno("epoll_wait");
    now_ = Clock::now();
    if (heartbeat_ != nullptr) heartbeat_->beat(now_);
    for (int i = 0; i < count; ++i)
      static_cast<Watcher*>(events[i].data.ptr)->on_ready(events[i].events);
    run_expired_timers();
    run_posted();
  }
  remove(wake_fd_.get());
}

void Loop::stop() noexcept {
  {
    std::lock_guard lock(posted_mutex_);
    stop_requested_ = true;
  }
  wake();
}

void Loop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  wake();
}

void Loop::wake() noexcept { ::eventfd_write(wake_fd_.get(), 1); }

void Loop::arm(Timer& timer) noexcept {
  timer.position_ = timers_.emplace(timer.when_, &timer);
  timer.armed_ = true;
}

void Loop::disarm(Timer& timer) noexcept {
  timers_.erase(timer.position_);
  timer.armed_ = false;
}

int Loop::next_timeout_ms() const noexcept {
  if (timers_.empty() && heartbeat_ == nullptr) return -1;
  auto delay = timers_.empty() ? Clock::duration::max() : timers_.begin()->first - Clock::now();
  if (heartbeat_ != nullptr) delay = std::min(delay, Heartbeat::interval());
  if (delay <= Clock::duration::zero()) return 0;
  // Round up so a timer never fires early and the loop never spins on it.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(delay).count();
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

void Loop::run_expired_timers() {
  while (!timers_.empty() && timers_.begin()->first <= now_) {
    Timer& timer = *timers_.begin()->second;
    disarm(timer);
    // A copy, because the callback may destroy its own timer.
    const auto callback = timer.callback_;
    callback();
  }
}

void Loop::run_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(posted_mutex_);
    batch.swap(posted_);
    if (stop_requested_) running_ = false;
  }
  for (auto& fn : batch) fn();
}

}  // namespace netcook::event
