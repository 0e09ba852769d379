#pragma once

// Moves a connection's bytes between its transport (its socket, as is or
// transformed: transport.hpp) and its core, the same way under every
// model: write what the core has for the peer while the socket takes it,
// read what the peer sent while the core wants it, until nothing can
// move, the read budget is used up, or the connection closes. How a model
// then waits — an epoll edge, a coroutine's co_await, poll(2), select(2) —
// is its own business; what it waits for is awaited(): the core's
// wants_read() and wants_write() as readiness of the socket, and the
// core's deadline().

#include "event/readiness.hpp"
#include "model/connection_core.hpp"
#include "model/transport.hpp"

#include <cstddef>
#include <span>

namespace netcook::model {

enum class Pumped {
  idle,    // nothing moves until the socket is as awaited() says, or
           // until the core's deadline
  more,    // stopped for fairness (the read budget is used up, or one
           // write's share went out): call again after the others' turn
  closed,  // the core is closed: close the socket and destroy it
};

// `ready` is what the model knows of the socket; the pump clears what the
// socket says is not ready any more. Reads go through `scratch` (handed to
// the session before the pump returns, so it may be shared by all the
// connections of a thread), at most `read_budget` bytes in all.
Pumped pump(ConnectionCore& core, Transport& transport, event::Readiness& ready,
            std::span<char> scratch, std::size_t read_budget, Clock::time_point now) noexcept;

// Hands the core what one read of the transport (not of a PROXY header:
// pump() reads that) got into `buffer` — bytes, the peer's end, a
// failure — as pump() does with its own reads, and notes in `ready` what
// it says of the socket: for a model that reads outside pump() (a read
// that waits in recv(2): poll_loop.cpp).
void take_read(ConnectionCore& core, Transport& transport, event::Readiness& ready,
               const ReadResult& got, std::span<const char> buffer, Clock::time_point now) noexcept;

// For a connection about to be closed at once (ConnectionCore::end()):
// writes what the socket takes right now, without waiting.
void flush_now(ConnectionCore& core, Transport& transport, Clock::time_point now) noexcept;

// What a model waits for on the socket once pump() said idle. Not simply
// the core's wants: a transport's read may wait for the socket writable,
// its write for it readable (TLS).
struct SocketWait {
  bool readable = false;
  bool writable = false;
};
SocketWait awaited(const ConnectionCore& core, const Transport& transport) noexcept;

}  // namespace netcook::model
