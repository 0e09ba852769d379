#pragma once

// Which listener takes which socket systemd passed: the pure half of socket
// activation (activation.hpp does the system calls). It sees plain values,
// includes nothing from libsystemd and is unit-tested without systemd.
//
// The rules, in order:
//  1. A socket whose FileDescriptorName= is a listener's name goes to that
//     listener, whatever its address: systemd's address wins over the
//     configuration's, with a warning when they differ.
//  2. Any other socket goes to the listener whose address it is bound to:
//     the same address exactly, or, for a listener on every address
//     ("*:P", "0.0.0.0:P" or "[::]:P"), a dual-stack "[::]:P" (what
//     ListenStream=P creates) or "0.0.0.0:P". Unix sockets by path.
//  3. A listener left without a socket binds its own, unless its address
//     overlaps a passed socket (binding would fail with EADDRINUSE, and the
//     clients of that address are systemd's business): that is an error.
// A listener offered two sockets, or a socket that fits two listeners
// equally well, is an error too. What becomes of a socket no listener takes
// is the caller's decision (at start-up: refuse to start).

#include "net/address.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <sys/socket.h>

namespace netcook::systemd {

// A listening socket systemd passed, as the matching sees it.
struct PassedSocket {
  int fd = -1;       // its descriptor number, for messages
  std::string name;  // FileDescriptorName= ("unknown" when unnamed)
  // Where it is bound; a dual-stack "[::]" (IPV6_V6ONLY off) is Kind::any,
  // exactly as the configuration writes "*:P". nullopt: no address a
  // listener can have (an abstract or unnamed unix socket).
  std::optional<net::Address> address;
  std::string bound;  // the kernel's text ("[::]:8080"), for messages
};

// "fd 3 (name web, 127.0.0.1:8080)" or "fd 4 (no name, [::]:8080)".
std::string describe(const PassedSocket& socket);

// Whether systemd gave the socket a name of its own: "unknown" (no
// FileDescriptorName=), "stored" and "connection" are placeholders that
// never name a listener.
bool has_own_name(const std::string& fd_name);

// A listener of the configuration, as the matching sees it.
struct WantedListener {
  std::string name;
  net::Address address;
};

struct SocketMatching {
  // Per listener (same order): the index of the passed socket it takes, or
  // nullopt when it binds its own.
  std::vector<std::optional<std::size_t>> socket_of;
  // Indices of passed sockets that no listener takes.
  std::vector<std::size_t> unmatched;
  // Why the configuration cannot be served with these sockets; each
  // message names the listener and the socket(s).
  std::vector<std::string> errors;
  // A listener took a socket by name whose address is not the configured one.
  std::vector<std::string> warnings;

  bool ok() const noexcept { return errors.empty(); }
};

SocketMatching match_sockets(const std::vector<WantedListener>& listeners,
                             const std::vector<PassedSocket>& passed);

// A bound address (from getsockname) as an Address to match: AF_INET ->
// inet4; AF_INET6 -> inet6, or Kind::any for "[::]" when `v6only` is false,
// or inet4 for an IPv4-mapped address; AF_UNIX with a path -> unix_path;
// nullopt for anything else.
std::optional<net::Address> matchable_address(const sockaddr* address, socklen_t length,
                                              bool v6only);

}  // namespace netcook::systemd
