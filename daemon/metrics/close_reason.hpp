#pragma once

// Why a connection ended, decided in one place (the connection core,
// model/connection_core.hpp) for every model, so that logs and counts mean
// the same whatever model serves a listener. Also why one was refused at
// accept (full). The words are the `reason` label of the metrics.

#include <cstdint>
#include <string_view>

namespace netcook::metrics {

enum class CloseReason : std::uint8_t {
  peer_closed,       // the peer ended its side (end of file) and everything owed was sent
  peer_reset,        // the peer aborted: ECONNRESET, or EPIPE writing to it
  session_closed,    // the protocol ended the conversation (chat /quit, HTTP
                     // "Connection: close", an answer to a malformed request)
  idle_timeout,      // no byte either way for idle_timeout
  read_timeout,      // a line or request started but did not complete in time
  outbox_overflow,   // the peer did not read: its unsent output passed max_outbox
  shutdown,          // the daemon stopped
  listener_removed,  // a reload removed or changed the listener
  session_error,     // the protocol's code threw (a bug, logged at error)
  io_error,          // any other failed read or write (EIO from a file, ...)
  full,              // refused at accept: max_connections reached (or, under
                     // select, a descriptor beyond what select(2) can watch)
  unserved,          // refused at accept: the model could not serve it (no
                     // thread or process could be made)
  denied,            // refused: the peer's address is denied (deny, allow)
  per_source,        // refused: max_connections_per_source reached
  rate,              // refused: the source's connection_rate is spent
  proxy_header,      // refused: a peer in proxy_protocol.from sent no valid
                     // PROXY header (malformed, or none within read_timeout)
  tls_handshake,     // refused: a TLS listener's handshake failed (not TLS,
                     // a refused version or certificate, none within
                     // handshake_timeout, the peer left during it)
};

inline constexpr std::size_t kCloseReasons =
    static_cast<std::size_t>(CloseReason::tls_handshake) + 1;

// The word for logs and metrics: "peer_closed", "idle_timeout", ...
std::string_view to_string(CloseReason reason) noexcept;

}  // namespace netcook::metrics
