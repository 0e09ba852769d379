#pragma once

// What every driver keeps of its listener, whatever its model: the
// settings, the listening socket, the Protocol, the count of open
// connections (max_connections, the drain report), the accept gate, and
// why the connections still open when the driver goes are closed.

#include "model/accept_gate.hpp"
#include "model/connection_core.hpp"
#include "model/connection_count.hpp"
#include "model/driver.hpp"

#include <atomic>
#include <climits>
#include <string>

#include <sys/types.h>

namespace netcook::model {

// A connection being adopted: who it is, for its core, and on a TLS
// listener the context its transport is made with (null: plain).
struct NewConnection {
  ConnectionCore::Setup setup;
  std::shared_ptr<const tls::Context> tls;
};

struct ListenerState {
  // A connection whose descriptor is `fd_ceiling` or above is refused, and
  // no more than fd_ceiling connections are counted (select's FD_SETSIZE).
  ListenerState(DriverSettings driver_settings, net::Fd listening, proto::Protocol p,
                int fd_ceiling = INT_MAX);

  // Readies a new connection's socket (TCP_NODELAY) and says who it is and
  // who serves it, for its core: connection `id`, served by the thread
  // named `thread` of this process; `served_by` ends its first log line.
  // A peer in proxy_protocol.from gets the gate as its core's vetting; on
  // a TLS listener every connection does (to count a failed handshake),
  // its core awaits the handshake, and its transport is made with the
  // listener's context as it is now.
  NewConnection setup(net::Fd socket, proto::ConnectionId id, std::string thread,
                      std::string served_by = {});

  const DriverSettings settings;
  const net::Fd listen_fd;  // not owned
  const proto::Protocol protocol;
  const pid_t pid;  // of the process that serves the connections
  ConnectionCount count;
  SourceGuard sources;  // the rules by source address, and their tables
  AcceptGate gate;      // the listener's, whichever thread accepts
  // Set by stop_accepting(); read when the driver closes what is left.
  std::atomic<CloseReason> end_reason{CloseReason::shutdown};
};

}  // namespace netcook::model
