#pragma once

// One reactor thread of the epoll model: accepts from the shared listening
// socket through the listener's accept gate (EPOLLEXCLUSIVE, so one worker
// wakes per connection) and serves its connections edge-triggered, each
// through the connection core.

#include "event/registration.hpp"
#include "event/timer.hpp"
#include "model/epoll/connection.hpp"
#include "model/reactor_worker.hpp"

#include <array>
#include <list>

namespace netcook::model::epoll {

class Worker final : public ReactorWorker, private event::Watcher, private AcceptGate::Host {
 public:
  Worker(ReactorShared& shared, unsigned index);
  // Closes the connections still open (the thread must have halted).
  ~Worker();

  void start();
  // Synchronous: returns once this worker will never accept again.
  void stop_accepting();

  // For its connections: moves the connection's bytes, and closes it when
  // it is done.
  void serve(Connection& connection) noexcept;
  // Its deadline timer fired.
  void deadline_passed(Connection& connection) noexcept;

 private:
  // The listening socket is readable.
  void on_ready(std::uint32_t events) noexcept override;
  void admit(Admission& admission) override;
  void accept() noexcept;
  void resume_accepting() noexcept;
  void close(Connection& connection) noexcept;

  event::Registration listening_;
  event::Timer accept_pause_;
  bool accepting_ = false;
  std::list<Connection> connections_;
  std::array<char, 64 * 1024> scratch_{};
};

}  // namespace netcook::model::epoll
