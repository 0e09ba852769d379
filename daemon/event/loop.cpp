#include "event/loop.hpp"

#include "event/registration.hpp"
#include "metrics/cpu.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <optional>
#include <system_error>

#include <sys/epoll.h>

namespace netcook::event {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

constexpr int kMaxEvents = 256;

bool empty(const detail::DeferredLink& head) noexcept {
  return head.next == &head;
}

// Moves every element of `from` to the end of `to`.
void splice(detail::DeferredLink& from, detail::DeferredLink& to) noexcept {
  if (empty(from)) return;
  from.next->prev = to.prev;
  to.prev->next = from.next;
  from.prev->next = &to;
  to.prev = from.prev;
  from.next = from.prev = &from;
}

// This turn's due work, in a list of its own. Should a callback throw out
// of run(), what was not run goes back to the loop's list.
class DueList {
 public:
  explicit DueList(detail::DeferredLink& scheduled) noexcept : scheduled_(scheduled) {
    head.next = head.prev = &head;
    splice(scheduled_, head);
  }
  DueList(const DueList&) = delete;
  DueList& operator=(const DueList&) = delete;
  ~DueList() { splice(head, scheduled_); }

  detail::DeferredLink head;

 private:
  detail::DeferredLink& scheduled_;
};

}  // namespace

// Drains the eventfd that post() and stop() signal.
class Loop::Wakeup final : public Watcher {
 public:
  explicit Wakeup(EventFd& fd) : fd_(fd) {}
  void on_ready(std::uint32_t) noexcept override { fd_.clear(); }

 private:
  EventFd& fd_;
};

Loop::Loop() : epoll_(::epoll_create1(EPOLL_CLOEXEC)), now_(Clock::now()) {
  if (!epoll_) throw_errno("epoll_create1");
  deferred_.next = deferred_.prev = &deferred_;
}

// Whatever is still scheduled is not run; its Deferreds only forget the
// list, which goes away. Posted functions are not run either, but what
// they hold goes first, while the loop still stands: it may cancel its
// timers and registrations, or post again, as it goes (a chat room's bus
// link, kept alive by a posted function, at the daemon's exit).
Loop::~Loop() {
  for (;;) {
    std::vector<std::function<void()>> batch;
    {
      std::lock_guard lock(posted_mutex_);
      batch.swap(posted_);
    }
    if (batch.empty()) break;
  }
  while (!empty(deferred_)) static_cast<Deferred*>(deferred_.next)->cancel();
}

void Loop::add(int fd, std::uint32_t events, Watcher& watcher) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = &watcher;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) throw_errno("epoll_ctl(ADD)");
}

void Loop::modify(int fd, std::uint32_t events, Watcher& watcher) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = &watcher;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event) != 0) throw_errno("epoll_ctl(MOD)");
}

bool Loop::remove(int fd) noexcept {
  return ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr) == 0;
}

void Loop::run(Waiter* waiter) {
  Wakeup wakeup(wake_);
  const Registration woken(*this, wake_.fd(), wakeup, EPOLLIN);
  running_ = true;
  std::optional<metrics::CpuMeter> cpu;
  if (cpu_nsec_ != nullptr) cpu.emplace(*cpu_nsec_);
  std::array<epoll_event, kMaxEvents> events{};
  // A full batch leaves events behind, which a waiter's poll on the epoll
  // descriptor may not report again: the next turn takes them at once.
  bool more_epoll = false;
  while (running_) {
    // Work deferred before this wait runs after it: the loop polls first.
    DueList due(deferred_);
    const int timeout = empty(due.head) && !more_epoll ? next_timeout_ms() : 0;
    int count = 0;
    if (waiter == nullptr) {
      count = ::epoll_wait(epoll_.get(), events.data(), kMaxEvents, timeout);
      if (count < 0 && errno != EINTR) throw_errno("epoll_wait");
    }
    const bool epoll_ready =
        waiter != nullptr && (waiter->wait(epoll_.get(), timeout) || more_epoll);
    now_ = Clock::now();
    if (heartbeat_ != nullptr) heartbeat_->beat(now_);
    if (cpu) cpu->tick(now_);
    if (waiter != nullptr) {
      waiter->dispatch();
      if (epoll_ready) {
        count = ::epoll_wait(epoll_.get(), events.data(), kMaxEvents, 0);
        if (count < 0 && errno != EINTR) throw_errno("epoll_wait");
      }
      more_epoll = count == kMaxEvents;
    }
    for (int i = 0; i < count; ++i)
      static_cast<Watcher*>(events[i].data.ptr)->on_ready(events[i].events);
    run_expired_timers();
    run_deferred(due.head);
    run_posted();
  }
}

void Loop::stop() noexcept {
  {
    std::lock_guard lock(posted_mutex_);
    stop_requested_ = true;
  }
  wake_.signal();
}

void Loop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  wake_.signal();
}

void Loop::defer(Deferred& work) noexcept {
  if (work.scheduled()) return;
  work.prev = deferred_.prev;
  work.next = &deferred_;
  deferred_.prev->next = &work;
  deferred_.prev = &work;
}

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

// A callback may cancel (or destroy) Deferreds still in `due`, which leave
// it, or schedule any, its own included, which go to the next turn.
void Loop::run_deferred(detail::DeferredLink& due) {
  while (!empty(due)) {
    auto& work = static_cast<Deferred&>(*due.next);
    work.cancel();
    // A copy, because the callback may destroy its own Deferred.
    const auto callback = work.callback_;
    callback();
  }
}

void Loop::run_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(posted_mutex_);
    batch.swap(posted_);
    // Honoured once: a later run() runs again (a test runs its loop in
    // stretches, until one condition, then another).
    if (stop_requested_) {
      running_ = false;
      stop_requested_ = false;
    }
  }
  for (auto& fn : batch) fn();
}

}  // namespace netcook::event
