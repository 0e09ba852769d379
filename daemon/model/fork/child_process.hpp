#pragma once

// The life of a connection process, from the moment fork() returns 0 in the
// fork master to _exit(): it never returns into the master's stack and runs
// none of the master's destructors, atexit handlers or leak checks.

#include "config/config.hpp"
#include "metrics/arena.hpp"
#include "model/fork/master.hpp"
#include "model/tls_setup.hpp"
#include "net/fd.hpp"
#include "proto/session.hpp"

#include <string>

#include <sys/types.h>

namespace netcook::model::fork {

// What a connection process needs; everything it refers to lives in the
// master's memory, which the child has a copy of. The descriptors are the
// master's, and the child's own copies once forked.
struct ChildPlan {
  pid_t master = 0;
  net::Fd client;  // the connection
  net::Fd hub;     // the link to the listener's Service; invalid without one
  // The link to ask the master about the peer a PROXY header names and to
  // report a failed preamble (vetting_link.hpp); invalid unless the peer
  // is in proxy_protocol.from or the listener speaks TLS.
  net::Fd vetting;
  bool proxy_header = false;  // the peer starts with a PROXY header
  // A TLS listener's context and handshake timeout as the master had them
  // at fork; no context: plain.
  TlsSetup tls;
  proto::ConnectionId id = 0;
  const std::string& listener;
  const config::Limits& limits;
  const proto::Protocol& protocol;
  const LoggerFactory& loggers;
  int log_level = 0;  // spdlog::level::level_enum
  const log::ListenerFields& log_fields;
  metrics::ListenerMetrics metrics;  // shared with the master and the main process
};

// Dies with the master, resets signals, closes every descriptor but stdio,
// the connection and the hub, makes its own logger (every line of the
// process is the connection's: PEER= throughout), serves the connection
// through the connection core's poll loop and exits: status 0 when the
// connection was served (however it ended), 1 when the process could not
// be set up.
[[noreturn]] void run_child(const ChildPlan& plan) noexcept;

}  // namespace netcook::model::fork
