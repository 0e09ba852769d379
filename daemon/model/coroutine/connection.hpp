#pragma once

// One client connection of the coroutine model, and the coroutine that
// serves it as straight-line code: pump the bytes, and when nothing can
// move, co_await the socket (or a delivery) up to the core's deadline.
// The coroutine owns its Connection; the worker's Scope owns the
// coroutine: when it ends, or when the worker destroys its suspended frame
// at teardown, the Connection goes with it (its socket unregistered and
// closed, the Service told, its place freed).

#include "co/fd_events.hpp"
#include "co/task.hpp"
#include "model/reactor_connection.hpp"

#include <memory>

namespace netcook::model::coroutine {

class Worker;

class Connection final : public ReactorConnection {
 public:
  Connection(Worker& worker, Admission& admission, NewConnection made,
             Clock::time_point now);
  // At teardown, a connection still open ends with the driver's reason.
  ~Connection();

  // Member: bytes from the Service; the coroutine is woken to write them
  // (or, cut off, to end).
  void deliver(std::string_view bytes) noexcept override;

  co::FdEvents& events() noexcept { return events_; }

 private:
  Worker& worker_;
  co::FdEvents events_;  // unregisters before the socket closes
};

// Serves `connection` until it closes; never throws.
co::Task<void> serve(Worker& worker, std::unique_ptr<Connection> connection);

}  // namespace netcook::model::coroutine
