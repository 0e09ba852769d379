#pragma once

// The reactor: one epoll instance, timers, and a thread-safe queue of posted
// functions woken through an eventfd. One Loop runs on one thread; only
// post() and stop() may be called from other threads.

#include "event/heartbeat.hpp"
#include "event/timer.hpp"
#include "net/unique_fd.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

namespace netcook::event {

// Something that waits for readiness of one file descriptor. The Loop does
// not own watchers; a watcher must remove itself before it is destroyed.
class Watcher {
 public:
  // `events` is the epoll event mask that was reported.
  virtual void on_ready(std::uint32_t events) noexcept = 0;

 protected:
  ~Watcher() = default;
};

class Loop {
 public:
  Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;
  ~Loop();

  // Registers `fd`; `events` is an epoll mask (EPOLLIN, EPOLLET, ...).
  // Throws std::system_error on failure.
  void add(int fd, std::uint32_t events, Watcher& watcher);
  void modify(int fd, std::uint32_t events, Watcher& watcher);
  // Returns false when fd was not registered; never throws.
  bool remove(int fd) noexcept;

  // Runs until stop(); dispatches readiness, timers and posted functions.
  void run();

  // Beats `heartbeat` on every turn from now on, turning at least once per
  // Heartbeat::interval() even when idle. `heartbeat` must outlive run().
  void beat_into(Heartbeat& heartbeat) noexcept { heartbeat_ = &heartbeat; }

  // Thread-safe. The loop returns from run() after the current iteration.
  void stop() noexcept;

  // Thread-safe: runs `fn` on the loop's thread soon.
  void post(std::function<void()> fn);

  // The time at the start of the current iteration (cheap; no syscall).
  Clock::time_point now() const noexcept { return now_; }

 private:
  friend class Timer;
  class Wakeup;

  void arm(Timer& timer) noexcept;
  void disarm(Timer& timer) noexcept;
  int next_timeout_ms() const noexcept;
  void run_expired_timers();
  void run_posted();
  void wake() noexcept;

  net::UniqueFd epoll_;
  net::UniqueFd wake_fd_;
  Clock::time_point now_;
  bool running_ = false;
  Heartbeat* heartbeat_ = nullptr;  // not owned

  std::multimap<Clock::time_point, Timer*> timers_;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  bool stop_requested_ = false;  // guarded by posted_mutex_
};

}  // namespace netcook::event
