#pragma once

// accept(2) for every model, and what its errors mean. The only place a
// connection is accepted: what to do about a failure (back off, log, try
// the next connection) is the accept gate's policy (model/accept_gate.hpp);
// this only says which kind of failure it was.

#include "net/fd.hpp"
#include "net/unique_fd.hpp"

#include <sys/socket.h>

namespace netcook::net {

struct Accepted {
  enum class Status {
    ok,                // `fd` is a new connection: non-blocking, close-on-exec
    empty,             // no connection is waiting (EAGAIN)
    lost_one,          // one pending connection failed before we got it
                       // (ECONNABORTED, EPERM from a firewall, or a network
                       // error accept(2) passes on): try the next one
    out_of_resources,  // EMFILE, ENFILE, ENOBUFS, ENOMEM: will fail again
                       // at once until descriptors or memory are freed
    broken,            // anything else (EINVAL on a socket shut down under
                       // us, EBADF, ENOTSOCK): the listening socket itself
  };
  Status status = Status::empty;
  UniqueFd fd;    // set when ok
  int error = 0;  // errno when the status is neither ok nor empty
  // When ok: the peer's address, as accept(2) gave it (no getpeername).
  sockaddr_storage peer{};
  socklen_t peer_length = 0;
};

// The kind of failure `error` (an errno of accept(2), or of making what a
// connection needs before it is accepted) is.
Accepted::Status classify_accept_error(int error) noexcept;

// Takes one connection from `listening` (accept4, non-blocking and
// close-on-exec), retried on EINTR.
Accepted accept_connection(Fd listening) noexcept;

// A connection accepted elsewhere (io_uring's accept: `result` is the new
// descriptor, non-blocking and close-on-exec, or -errno), as
// accept_connection() would have returned it; the peer's address is asked
// of the socket (getpeername).
Accepted accepted_from(int result) noexcept;

}  // namespace netcook::net
