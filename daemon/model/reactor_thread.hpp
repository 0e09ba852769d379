#pragma once

// The thread of one reactor worker (epoll, coroutine): an event::Loop run
// on a named thread that beats a heartbeat. The worker sets its loop up,
// then start()s it; halt() stops and joins it.

#include "event/heartbeat.hpp"
#include "event/loop.hpp"

#include <functional>
#include <string>
#include <thread>

#include <spdlog/logger.h>

namespace netcook::model {

class ReactorThread {
 public:
  // `log` outlives this object.
  ReactorThread(std::string name, spdlog::logger& log);
  ReactorThread(const ReactorThread&) = delete;
  ReactorThread& operator=(const ReactorThread&) = delete;
  ~ReactorThread() { halt(); }

  event::Loop& loop() noexcept { return loop_; }
  const std::string& name() const noexcept { return name_; }
  // The proof that the loop turns (for the systemd watchdog).
  event::Heartbeat& heartbeat() noexcept { return heartbeat_; }

  // Runs the loop on a new thread, waiting in `waiter` when given (an
  // io_uring worker's ring: event::Waiter), which must outlive the thread;
  // throws std::system_error.
  void start(event::Waiter* waiter = nullptr);
  // Stops the loop and waits for the thread; idempotent.
  void halt() noexcept;
  // Runs `work` on the loop's thread and returns once it has run; runs it
  // here when the thread is not running.
  void run_there(const std::function<void()>& work);

 private:
  void run(event::Waiter* waiter) noexcept;

  const std::string name_;
  spdlog::logger& log_;
  event::Loop loop_;
  event::Heartbeat heartbeat_;  // beaten by loop_, read by the watchdog
  std::thread thread_;
};

}  // namespace netcook::model
