#pragma once

// The reactor: one epoll instance, timers, deferred work, and a thread-safe
// queue of posted functions woken through an eventfd. One Loop runs on one
// thread; only post() and stop() may be called from other threads.
//
// One turn of run(): wait in epoll_wait(2) (not at all when deferred work
// is due, else until the nearest timer or heartbeat), dispatch the ready
// descriptors, run the timers that are due, the deferred work scheduled
// before this turn's wait, then the posted functions.

#include "event/deferred.hpp"
#include "event/event_fd.hpp"
#include "event/heartbeat.hpp"
#include "event/timer.hpp"
#include "metrics/shard.hpp"
#include "net/unique_fd.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

namespace netcook::event {

// Something that waits for readiness of one file descriptor, registered
// through a Registration (registration.hpp). The Loop owns no watcher.
class Watcher {
 public:
  // `events` is the epoll event mask that was reported.
  virtual void on_ready(std::uint32_t events) noexcept = 0;

 protected:
  ~Watcher() = default;
};

// What a turn may wait in instead of epoll_wait(2) alone: an io_uring
// worker's completion ring, which also watches the loop's epoll descriptor
// (a multishot poll on it), so that the loop's registrations, timers,
// deferred work and posted functions work as they do under epoll while the
// worker's own I/O completes in its ring.
class Waiter {
 public:
  // Waits until the waiter's own events come, `epoll_fd` is readable, or
  // `timeout_ms` has passed (-1: no limit; 0: do not wait, as
  // epoll_wait(2) has it). Returns whether `epoll_fd` may be readable: the
  // loop then takes its events without waiting.
  virtual bool wait(int epoll_fd, int timeout_ms) = 0;
  // Runs what the wait brought; called once the loop's clock (now()) moved.
  virtual void dispatch() noexcept = 0;

 protected:
  ~Waiter() = default;
};

class Loop {
 public:
  Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;
  ~Loop();

  // Runs until stop(). With `waiter`, each turn waits in it (see Waiter),
  // dispatches what it brought, then the epoll events it says are ready.
  void run(Waiter* waiter = nullptr);

  // Beats `heartbeat` on every turn from now on, turning at least once per
  // Heartbeat::interval() even when idle. `heartbeat` must outlive run().
  void beat_into(Heartbeat& heartbeat) noexcept { heartbeat_ = &heartbeat; }
  // Before run(): the CPU time of the thread that runs the loop is added
  // to `cpu_nsec`, at most a second late (metrics/cpu.hpp); for a loop
  // whose thread works for one listener only.
  void count_cpu_into(metrics::Cell& cpu_nsec) noexcept { cpu_nsec_ = &cpu_nsec; }

  // Thread-safe. The loop returns from run() after the current turn (or,
  // called before run(), after its first); run() may be called again.
  void stop() noexcept;

  // Thread-safe: runs `fn` on the loop's thread soon.
  void post(std::function<void()> fn);

  // Runs `work` on the next turn, after that turn's events (see
  // deferred.hpp); nothing if it is scheduled already.
  void defer(Deferred& work) noexcept;

  // The time at the start of the current turn (cheap; no syscall).
  Clock::time_point now() const noexcept { return now_; }

 private:
  friend class Timer;
  friend class Registration;
  class Wakeup;

  // For Registration, the only caller of epoll_ctl(2). add() and modify()
  // throw std::system_error; remove() returns false when `fd` was not
  // registered.
  void add(int fd, std::uint32_t events, Watcher& watcher);
  void modify(int fd, std::uint32_t events, Watcher& watcher);
  bool remove(int fd) noexcept;

  void arm(Timer& timer) noexcept;
  void disarm(Timer& timer) noexcept;
  int next_timeout_ms() const noexcept;
  void run_expired_timers();
  void run_deferred(detail::DeferredLink& due);
  void run_posted();

  net::UniqueFd epoll_;
  EventFd wake_;
  Clock::time_point now_;
  bool running_ = false;
  Heartbeat* heartbeat_ = nullptr;  // not owned
  metrics::Cell* cpu_nsec_ = nullptr;  // not owned

  std::multimap<Clock::time_point, Timer*> timers_;
  // Deferred work scheduled for the next turn: a circular list, this the head.
  detail::DeferredLink deferred_;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  bool stop_requested_ = false;  // guarded by posted_mutex_
};

}  // namespace netcook::event
