#pragma once

// One reactor thread of the coroutine model: an accept loop (a coroutine
// taking connections through the accept gate from the shared listening
// socket, registered with EPOLLEXCLUSIVE so one worker wakes per
// connection) and one coroutine per connection, all on the worker's loop.
// The worker's Scopes own their frames: each is destroyed exactly once,
// when it ends or, at teardown, by the worker's destructor where it waits.

#include "co/fd_events.hpp"
#include "co/scope.hpp"
#include "co/task.hpp"
#include "model/reactor_worker.hpp"

#include <array>
#include <optional>
#include <span>

namespace netcook::model::coroutine {

class Worker final : public ReactorWorker, private AcceptGate::Host {
 public:
  Worker(ReactorShared& shared, unsigned index);
  // Stops the thread, then destroys the accept loop and every connection
  // coroutine still suspended (closing their sockets).
  ~Worker();

  // Registers the listening socket (throws std::system_error) and starts
  // the thread, which starts the accept loop.
  void start();
  // Synchronous: returns once this worker will never accept again.
  void stop_accepting();

  // For connections, on the worker's thread: shared by the worker's
  // connections, a connection reads into it and feeds the session before it
  // suspends again.
  std::span<char> scratch() noexcept { return scratch_; }
  CloseReason end_reason() const noexcept { return shared_.end_reason.load(); }

 private:
  void admit(Admission& admission) override;
  co::Task<void> accept_loop();
  void failed(std::exception_ptr error) noexcept;

  // Registered in start(), unregistered by stop_accepting().
  std::optional<co::FdEvents> listening_;
  std::array<char, 64 * 1024> scratch_{};

  // Destroyed explicitly by ~Worker(), before anything above.
  co::Scope acceptor_;
  co::Scope connections_;
};

}  // namespace netcook::model::coroutine
