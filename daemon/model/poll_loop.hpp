#pragma once

// Serves one connection alone, on the calling thread, with poll(2): the way
// of the models that give a connection a thread (thread) or a process
// (fork) of its own. Each round pumps the connection's bytes, then waits
// for what its core wants — the socket, its deadline — and for the side
// channels the model adds: the driver closing, a mailbox of deliveries, the
// link to the fork master, a termination signal.
//
// A round whose only wait is for the peer's next bytes waits in the
// socket's recv(2) instead (Transport::read_waiting), bounded by the
// core's deadline: one system call where poll(2) and recv(2) were two,
// the floor of a connection with a thread or process of its own (an echo,
// an HTTP keep-alive). That is when the core wants to read and has nothing
// the socket did not take, the transport reads the socket as is (not TLS),
// no PROXY header is awaited, no side channel watches a descriptor (a hub
// link, a mailbox, the driver closing) and the deadline is a millisecond
// away or more. Every other round waits in ppoll(2), as before: output the
// peer does not take, held input, a handshake. While rounds wait in recv,
// the thread's signal mask is `wait_mask`, so that its signals interrupt
// the wait; their handlers call stop_waiting_read().

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
  // channel cannot take more, or end it. A channel told of its event by a
  // signal (run_poll_loop's wait_mask) acts here on what the signal's
  // handler recorded, which calls stop_waiting_read().
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
// wait (a side channel then sees what its handler recorded). The same
// signals are let in while rounds wait in the socket's recv(2).
void run_poll_loop(ConnectionCore& core, Transport& transport, std::span<SideChannel* const> sides,
                   std::span<char> scratch, std::size_t read_budget,
                   const sigset_t* wait_mask = nullptr) noexcept;

// For the handler of a signal in run_poll_loop()'s wait_mask, one that
// ends the connection (its side channel ends the core on seeing what the
// handler recorded): if the calling thread's loop waits in the socket's
// recv(2), or is about to, the socket's reading is shut down
// (shutdown(SHUT_RD)), so that the recv returns at once, with no window
// for a signal to come unseen just before it; the side channels then see
// what the handler recorded before the core is told anything but the
// bytes that recv got (an end of file then is the shutdown's, not the
// peer's). Async-signal-safe.
void stop_waiting_read() noexcept;

}  // namespace netcook::model
