#pragma once

// What the connection core asks of its listener before the session is
// made: for a peer in proxy_protocol.from, once the PROXY header has named
// the real peer, the listener's rules by source (deny and allow,
// max_connections_per_source, connection_rate), the same the accept gate
// applies at accept to every other peer; and, for any connection whose
// preamble fails (no valid PROXY header, a failed TLS handshake), to count
// the refusal and log it once per burst of the listener. In one process
// the gate answers itself (AcceptGate); a fork-model connection process
// asks the fork master, whose gate holds the listener's tables and bursts.

#include "metrics/close_reason.hpp"
#include "model/source_guard.hpp"
#include "net/cidr.hpp"

#include <chrono>
#include <string>

namespace netcook::model {

class PeerVetting {
 public:
  using Clock = std::chrono::steady_clock;

  // The rules for `peer` ("ip:port" in `peer_text`): refused (counted,
  // and logged once per burst) or admitted with the connection's place
  // among its source's, held for the connection's life.
  virtual SourceGuard::Verdict vet(const net::IpAddress& peer, const std::string& peer_text,
                                   Clock::time_point now) = 0;
  // The connection's preamble failed before it had a session: `reason`
  // is proxy_header (a peer that had to send a PROXY header did not) or
  // tls_handshake; `why` says what happened. Counted as refused and logged
  // once per burst.
  virtual void preamble_failed(metrics::CloseReason reason, const std::string& peer_text,
                               const std::string& why, Clock::time_point now) noexcept = 0;
  // The protocol's bytes for a refusal (empty: a plain close).
  virtual const std::string& refusal(metrics::CloseReason why) const noexcept = 0;

 protected:
  ~PeerVetting() = default;
};

}  // namespace netcook::model
