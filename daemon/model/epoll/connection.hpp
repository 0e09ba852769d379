#pragma once

// One client connection on an epoll worker: a ReactorConnection (core,
// socket, slot, Service membership) whose socket is registered
// edge-triggered for both directions, with a timer armed for the core's
// deadline and a deferred turn for when it must let the others go first.
// The worker owns connections; a connection never destroys itself.

#include "event/deferred.hpp"
#include "event/readiness.hpp"
#include "event/registration.hpp"
#include "event/timer.hpp"
#include "model/reactor_connection.hpp"

#include <list>

namespace netcook::model::epoll {

class Worker;

class Connection final : public ReactorConnection, private event::Watcher {
 public:
  Connection(Worker& worker, Admission& admission, NewConnection made,
             Clock::time_point now);

  // Member: bytes from the Service; written (or, cut off, the connection
  // closed) on its next turn.
  void deliver(std::string_view bytes) noexcept override;

  event::Readiness ready;
  std::list<Connection>::iterator self;  // in the worker's list

  // When the core's deadline may have come.
  event::Timer& deadline() noexcept { return deadline_; }
  // Another turn after the others' (Loop::defer).
  void defer_turn() noexcept { turn_.schedule(); }

 private:
  void on_ready(std::uint32_t events) noexcept override;

  Worker& worker_;
  event::Registration registration_;  // cancelled before the socket closes
  event::Timer deadline_;
  event::Deferred turn_;
};

}  // namespace netcook::model::epoll
