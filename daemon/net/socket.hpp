#pragma once

// Listening sockets and the calls drivers make on connections. Set-up calls
// throw std::system_error with context; per-connection calls return values.

#include "net/address.hpp"
#include "net/fd.hpp"
#include "net/unique_fd.hpp"

#include <memory>
#include <string>

namespace netcook::net {

// Creates, binds and listens on `address` (SOCK_STREAM, non-blocking,
// close-on-exec, SO_REUSEADDR; dual stack for `*`). A stale unix socket file
// is replaced; any other file at that path, or a socket another process
// listens on, is an error (EEXIST, EADDRINUSE).
UniqueFd listen_on(const Address& address, int backlog = 4096);

// A listening socket several listeners may share (a reload keeps it for
// the listeners that stay). For a unix socket that listen_on() bound, the
// last owner to let go also removes the socket file, unless the path names
// another file by then (replaced meanwhile).
using SharedSocket = std::shared_ptr<const UniqueFd>;
SharedSocket share_listening(UniqueFd fd, const Address& address);

// The address a socket is bound to, as text ("127.0.0.1:40123").
std::string local_address(Fd fd);

// The peer of a connected socket, as text ("127.0.0.1:51234").
std::string peer_address(Fd fd);

// The peer's host only (IPv6 without brackets), for chat lines.
std::string peer_host(Fd fd);

void set_nonblocking(Fd fd, bool on);

// TCP_NODELAY on TCP sockets (echo and chat want small writes out at once);
// harmless no-op on unix sockets.
void set_nodelay(Fd fd) noexcept;

// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the new soft
// limit.
unsigned long raise_fd_limit() noexcept;

}  // namespace netcook::net
