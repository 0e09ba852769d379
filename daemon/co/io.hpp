#pragma once

// Socket I/O for coroutines, with results as values. The *_now calls try
// once and never block; read_some / write_some are awaitables that try
// first and wait for readiness (up to a deadline) only on EAGAIN:
//
//   const IoResult got = co_await co::read_some(events, buffer, deadline);
//
// The awaiters live in the coroutine's frame: no allocation per call.

#include "co/fd_events.hpp"

#include <cstddef>
#include <span>
#include <string_view>

namespace netcook::co {

struct IoResult {
  enum class Status {
    ok,           // `size` bytes moved (never 0)
    closed,       // end of file from the peer (reads)
    would_block,  // nothing to do yet (EAGAIN, or a stale edge after a wait)
    timeout,      // the deadline passed first
    error,        // see `error` (errno), or EPOLLERR when 0
    woken,        // FdEvents::wake() ended the wait; nothing was moved
  };
  Status status = Status::ok;
  std::size_t size = 0;
  int error = 0;
};

// recv(2) once; EAGAIN, or a short read before any hangup, also tells
// `events` the read edge is used up.
IoResult read_now(FdEvents& events, std::span<char> buffer) noexcept;
// send(2) once with MSG_NOSIGNAL; EAGAIN also clears the write edge.
IoResult write_now(FdEvents& events, std::string_view bytes) noexcept;

// The awaiter of read_some and write_some.
class Transfer {
 public:
  Transfer(FdEvents& events, std::span<char> into, Deadline deadline) noexcept
      : events_(events), into_(into), reading_(true), wait_(events.readable(deadline)) {}
  Transfer(FdEvents& events, std::string_view from, Deadline deadline) noexcept
      : events_(events), from_(from), reading_(false), wait_(events.writable(deadline)) {}

  bool await_ready() noexcept;
  void await_suspend(std::coroutine_handle<> waiter) const noexcept { wait_.await_suspend(waiter); }
  IoResult await_resume() noexcept;

 private:
  IoResult attempt() noexcept;

  FdEvents& events_;
  std::span<char> into_;   // when reading
  std::string_view from_;  // when writing
  bool reading_;
  FdEvents::Wait wait_;
  IoResult result_;
  bool done_ = false;  // result_ is final: await_ready got it
};

// Reads what is available into `buffer`, waiting for data first if none is.
inline Transfer read_some(FdEvents& events, std::span<char> buffer,
                          Deadline deadline = kNoDeadline) noexcept {
  return Transfer(events, buffer, deadline);
}

// Writes a prefix of `bytes`, waiting for room first if there is none.
// `bytes` must stay valid and unchanged until the co_await returns; a
// woken result means nothing was written, so the caller may change them
// as long as it calls wake().
inline Transfer write_some(FdEvents& events, std::string_view bytes,
                           Deadline deadline = kNoDeadline) noexcept {
  return Transfer(events, bytes, deadline);
}

}  // namespace netcook::co
