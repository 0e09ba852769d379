#pragma once

// How a fork-model connection process whose peer sent a PROXY header asks
// the listener's rules about the peer it names. The rules' tables (open
// connections per source, rate buckets) are the listener's, in the fork
// master; each connection is its own process. So the child sends the
// master one packet over a link made for it when it was forked (a
// SOCK_SEQPACKET pair) and waits for the answer; the master vets with its
// gate, keeps the connection's place among its source's with the child's
// record (given back when the process is reaped, however it ends), and
// answers in one byte. A failed preamble (a missing or malformed header, a
// failed TLS handshake) is reported the same way, so that it is counted
// and logged once per burst by the listener.

#include "model/peer_vetting.hpp"
#include "net/fd.hpp"
#include "proto/session.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <variant>

namespace netcook::model::fork {

// How long a child waits for the master's answer before it gives up on
// the connection (unserved): the master answers at once unless stalled.
inline constexpr auto kVettingWait = std::chrono::seconds(5);

// The child's side. Used by its connection core.
class RemoteVetting final : public PeerVetting {
 public:
  RemoteVetting(net::Fd link, const proto::Protocol& protocol) : link_(link), protocol_(protocol) {}

  // Throws std::runtime_error when the master does not answer.
  SourceGuard::Verdict vet(const net::IpAddress& peer, const std::string& peer_text,
                           Clock::time_point now) override;
  void preamble_failed(metrics::CloseReason reason, const std::string& peer_text,
                       const std::string& why, Clock::time_point now) noexcept override;
  const std::string& refusal(metrics::CloseReason why) const noexcept override;

 private:
  const net::Fd link_;  // the child's end; blocking
  const proto::Protocol& protocol_;
};

// What a child asked, as the master reads it.
struct VetRequest {
  net::IpAddress peer;
  std::string peer_text;
};
struct PreambleReport {
  metrics::CloseReason reason = metrics::CloseReason::proxy_header;
  std::string peer_text;
  std::string why;
};
using VettingPacket = std::variant<VetRequest, PreambleReport>;

// Reads one packet from the master's end (non-blocking); nullopt when
// there is none, the child closed its end, or the packet is malformed.
std::optional<VettingPacket> read_vetting_packet(net::Fd link) noexcept;

// The master's answer to a VetRequest: the refusal's reason, or none.
void answer_vetting(net::Fd link, std::optional<metrics::CloseReason> refused) noexcept;

}  // namespace netcook::model::fork
