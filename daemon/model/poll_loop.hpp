#pragma once

// Serves one connection alone, on the calling thread, with poll(2): the way
// of the models that give a connection a thread (thread) or a process
// (fork) of its own. Each round pumps the connection's bytes, then waits
// for what its core wants — the socket, its deadline — and for the side
// channels the model adds: the driver closing, a mailbox of deliveries, the
// link to the fork master, a termination signal.

#include "model/connection_core.hpp"
#include "model/transport.hpp"

#include <cstddef>
#include <span>

#include <poll.h>
#include <signal.h>

namespace netcook::model {

class SideChannel {
 public:
  // Called every round once the connection's bytes have moved: the
  // descriptor and events to wait for ({-1, 0, 0} for none). May act on
  // the core: hold its reading (ConnectionCore::hold_reading) while the
  // channel cannot take more, or end it.
  virtual pollfd watch(ConnectionCore& core, Clock::time_point now) noexcept = 0;
  // poll(2) reported `revents` (never 0) for its descriptor.
  virtual void ready(short revents, ConnectionCore& core, Clock::time_point now) noexcept {
    (void)revents, (void)core, (void)now;
  }
  // Asked after watch(): when the channel wants its next watch() at the
  // latest, whatever its descriptor does (a wait it set itself ends);
  // max() for no such time.
  virtual Clock::time_point deadline() const noexcept { return Clock::time_point::max(); }

 protected:
  ~SideChannel() = default;
};

// Opens the core (the session's greeting) and serves the connection until
// the core is closed; its bytes go through `transport`, whose socket the
// caller owns and closes. `sides` are at most four. Reads go through `scratch`,
// at most `read_budget` bytes before the side channels get a turn. With
// `wait_mask`, the wait is ppoll(2) with that signal mask: a signal blocked
// the rest of the time is taken only there, without a race, and ends the
// wait (a side channel then sees what its handler recorded).
void run_poll_loop(ConnectionCore& core, Transport& transport, std::span<SideChannel* const> sides,
                   std::span<char> scratch, std::size_t read_budget,
                   const sigset_t* wait_mask = nullptr) noexcept;

}  // namespace netcook::model
