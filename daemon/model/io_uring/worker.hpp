#pragma once

// One reactor thread of the io_uring model: its event::Loop waits in the
// thread's ring (uring::Ring, the loop's Waiter), which accepts from the
// shared listening socket (a multishot accept, through the listener's
// accept gate) and moves its connections' bytes by completions
// (connection.hpp). Timers, the Service's posts and the accept pause run
// on the loop as under epoll.

#include "event/timer.hpp"
#include "model/io_uring/connection.hpp"
#include "model/io_uring/transport.hpp"
#include "model/reactor_worker.hpp"
#include "uring/ring.hpp"

#include <array>
#include <list>

namespace netcook::model::io_uring {

class Worker final : public ReactorWorker, private AcceptGate::Host, private uring::Completion {
 public:
  // Throws std::system_error when io_uring cannot be used.
  Worker(ReactorShared& shared, unsigned index);
  // Ends the connections still open (the thread must have halted) and
  // waits for the ring to give them up.
  ~Worker();

  void start();
  // Synchronous: returns once this worker will never accept again (a
  // connection the ring accepted just before is still served).
  void stop_accepting();

  uring::Ring& ring() noexcept { return ring_; }
  ReceivePool& pool() noexcept { return pool_; }

  // For its connections: moves the connection's bytes, and closes it when
  // it is done.
  void serve(Connection& connection) noexcept;
  // An operation of the connection completed.
  void completed(Connection& connection) noexcept;
  // Its deadline timer fired.
  void deadline_passed(Connection& connection) noexcept;

 private:
  // The multishot accept completed (uring::Completion).
  void completed(std::int32_t result, std::uint32_t flags) noexcept override;
  void admit(Admission& admission) override;
  void accept() noexcept;
  void resume_accepting() noexcept;
  void close(Connection& connection) noexcept;

  // Declared before the connections, which use them until they go.
  uring::Ring ring_;
  ReceivePool pool_;
  event::Timer accept_pause_;
  bool accepting_ = false;
  bool accept_armed_ = false;
  bool ending_ = false;  // the destructor runs
  std::list<Connection> connections_;
  std::array<char, 64 * 1024> scratch_{};
};

}  // namespace netcook::model::io_uring
