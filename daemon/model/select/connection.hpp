#pragma once

// One client connection of the select model: a ReactorConnection whose
// socket (always below FD_SETSIZE) the loop watches with select(2). The
// reactor owns connections; a connection never destroys itself.

#include "event/readiness.hpp"
#include "model/reactor_connection.hpp"

#include <list>

namespace netcook::model::select_model {

class Connection final : public ReactorConnection {
 public:
  using ReactorConnection::ReactorConnection;

  // Member: bytes from the Service. A connection cut off is found closed
  // and closed by the loop's next turn, never inside the Service call.
  void deliver(std::string_view bytes) noexcept override { core().deliver(bytes); }

  // Level-triggered: readable is what this turn's select(2) said; writable
  // stays true until a write would block, so a reply goes out right after
  // the read without waiting for another turn.
  event::Readiness ready;
  std::list<Connection>::iterator self;  // in the reactor's list
};

}  // namespace netcook::model::select_model
