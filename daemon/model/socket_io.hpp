#pragma once

// The system calls on a connection's socket, for every model: the one place
// bytes are read from a peer (recv) and an Outbox is written to it (send,
// sendfile, pread for files sendfile cannot read). Results are values;
// nothing here throws or raises SIGPIPE.

#include "net/cidr.hpp"
#include "net/fd.hpp"
#include "proto/outbox.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>

namespace netcook::model {

struct ReadResult {
  enum class Status {
    data,         // `size` bytes (never 0) are in the buffer
    end,          // end of file: the peer sends nothing more
    would_block,  // nothing to read now (EAGAIN)
    failed,       // see `error`
  };
  Status status = Status::would_block;
  std::size_t size = 0;
  int error = 0;
  // With data: nothing more is queued now (set by a Transport, see
  // transport.hpp; read_socket() leaves it unset).
  bool drained = false;
};

// One recv(2) into `buffer` (never empty), retried on EINTR. Never waits,
// whether the socket is non-blocking or not (MSG_DONTWAIT).
ReadResult read_socket(net::Fd socket, std::span<char> buffer) noexcept;

// One recv(2) into `buffer` (never empty) that waits for the peer on a
// blocking socket: until it sends something or ends, its SO_RCVTIMEO
// passes, or a signal's handler runs (neither of which is retried: both
// say would_block).
ReadResult wait_socket(net::Fd socket, std::span<char> buffer) noexcept;

// What recv(2) would read into `buffer`, left queued (MSG_PEEK): for the
// PROXY header, whose bytes must be taken exactly, leaving whatever follows
// (a TLS ClientHello) to the transport.
ReadResult peek_socket(net::Fd socket, std::span<char> buffer) noexcept;
// Takes `size` bytes a peek_socket() saw off the socket, through `scratch`;
// 0, or the errno of a failure.
int discard_socket(net::Fd socket, std::span<char> scratch, std::size_t size) noexcept;

struct WriteResult {
  enum class Status {
    done,         // everything was written: the outbox is empty
    would_block,  // the socket is full (EAGAIN): wait until it is writable
    paused,       // this call's share was written and the socket may take
                  // more: let other connections have a turn, then call again
    failed,       // see `error`; the connection should end
  };
  Status status = Status::done;
  std::size_t sent = 0;  // bytes written by this call, from memory and files
  // errno when failed; EIO also when a file ended before its range did.
  int error = 0;
};

// Writes to `socket` what it takes now, oldest first, up to a fair share
// per call (1 MiB), and drops what was written from `out`. Never blocks:
// bytes go with send(2) and MSG_DONTWAIT, but sendfile(2) has no such flag,
// so `socket` must be non-blocking; nor can sendfile be told MSG_NOSIGNAL,
// so the process must ignore SIGPIPE (main.cpp and the fork processes do).
WriteResult write_outbox(net::Fd socket, proto::Outbox& out) noexcept;

// Who is at the other end of a new connection.
struct Peer {
  std::string address;               // "127.0.0.1:51234", "[::1]:5", "unix"
  std::string host;                  // "127.0.0.1", "::1", "unix"
  std::optional<net::IpAddress> ip;  // none for a unix socket
};

// Readies a connection's socket (TCP_NODELAY: echo and chat want small
// writes out at once) and says who its peer is.
Peer prepare_socket(net::Fd socket);

}  // namespace netcook::model
