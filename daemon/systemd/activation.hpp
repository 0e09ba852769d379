#pragma once

// Socket activation: the listening sockets systemd passed (a .socket unit
// such as netcookd@web.socket, or systemd-socket-activate), taken once at
// start-up and held for the daemon's whole life.
//
// Who owns what: this pool owns every passed socket. A listener that takes
// one shares it (the same shared_ptr); when the listener stops, the pool
// still holds the socket, so a later reload can give it to a listener again
// (binding that address ourselves would fail with EADDRINUSE: systemd holds
// its own copy and keeps listening). A socket no listener takes is held
// without being accepted on, and its clients wait in the backlog: only
// stopping the socket unit frees the address. Closing ours would not help
// (systemd's copy keeps listening), and shutdown(2) would break systemd's.
//
// Which listener takes which socket is decided by match_sockets()
// (activation_match.hpp): by FileDescriptorName= first, then by address.

#include "net/unique_fd.hpp"
#include "systemd/activation_match.hpp"

#include <memory>
#include <string>
#include <vector>

namespace netcook::systemd {

class ActivatedSockets {
 public:
  using Socket = std::shared_ptr<const net::UniqueFd>;

  struct Entry {
    PassedSocket passed;
    Socket socket;
  };

  // No sockets: the daemon was not socket-activated.
  ActivatedSockets() = default;

  // Takes the sockets systemd passed (sd_listen_fds_with_names) and unsets
  // LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES, so that no child process
  // believes it was activated. Makes each socket non-blocking (as the
  // drivers need; the flag is shared with systemd's copy, which systemd
  // never accepts on). Call once, while single-threaded (unsetenv) and
  // before forking the fork master (which then closes its inherited
  // copies). Throws std::runtime_error naming the fd, its name and its
  // address when a passed fd is not a listening stream socket.
  static ActivatedSockets take();

  bool empty() const noexcept { return entries_.empty(); }
  const std::vector<Entry>& entries() const noexcept { return entries_; }
  std::vector<PassedSocket> passed() const;

  // Whether `socket` is one of the passed sockets.
  bool holds(const Socket& socket) const noexcept;

 private:
  std::vector<Entry> entries_;
};

}  // namespace netcook::systemd
