#pragma once

// The one way every model takes connections from its listening socket. A
// model calls accept_some() when the socket is readable (or when a pause
// it was told to make is over) and then does what the answer says; the
// gate decides the rest, the same for every model:
// - accept(2) itself (net/accept.hpp) and what its failures mean: a
//   connection lost before it was taken is skipped; a shortage of
//   descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) or a broken
//   listening socket (one shut down under us: EINVAL) pauses accepting,
//   50 ms doubling to 1 s, so that nothing ever spins on a socket that
//   stays readable; each logged once per burst;
// - the listener's rules by source address (source_guard.hpp): deny and
//   allow (closed without a byte), max_connections_per_source and
//   connection_rate (the protocol's refusals); a peer in
//   proxy_protocol.from is let through to its connection core, which asks
//   the same rules once the PROXY header has named the real peer;
// - max_connections: beyond it a connection gets the protocol's refusal
//   (best effort, what the socket takes at once) and is closed;
// - a descriptor ceiling (the select model's FD_SETSIZE), the same way;
// - a connection the model cannot serve (no thread, no process, no
//   memory): refused, logged once per burst, and accepting pauses.
//
// One gate serves every thread that accepts for a listener (the workers of
// epoll and coroutine take from one socket): the burst logs and the pause
// are the listener's. Thread-safe.

#include "metrics/arena.hpp"
#include "model/burst_log.hpp"
#include "model/close_reason.hpp"
#include "model/connection_count.hpp"
#include "model/peer_vetting.hpp"
#include "model/slot.hpp"
#include "model/source_guard.hpp"
#include "net/accept.hpp"
#include "net/fd.hpp"
#include "proto/session.hpp"
#include "net/unique_fd.hpp"

#include <chrono>
#include <climits>
#include <mutex>
#include <optional>
#include <string>

#include <spdlog/logger.h>

namespace netcook::model {

// A connection the gate let through: its socket and its place among the
// listener's max_connections.
struct Admission {
  net::UniqueFd socket;
  Slot slot;
  // The peer is in proxy_protocol.from: its core vets the peer its PROXY
  // header names (the fork model needs to know before it forks).
  bool awaits_proxy_header = false;
};

// The bytes `protocol` sends a connection refused for `why` (empty: a plain
// close, as for denied and a bad PROXY header).
const std::string& refusal_of(const proto::Protocol& protocol, metrics::CloseReason why) noexcept;

class AcceptGate final : public PeerVetting {
 public:
  using Clock = std::chrono::steady_clock;

  // What a model does with the connections the gate lets through.
  class Host {
   public:
    // Called before each accept(2): makes ready what a connection needs
    // besides its socket (a mailbox, a link to the fork master), so that
    // when that cannot be made the client waits in the backlog rather than
    // being accepted and dropped. Returns 0, or the errno of the failure,
    // which the gate handles as a failed accept.
    virtual int provision() noexcept { return 0; }

    // Serves the connection, taking what it needs from `admission`. Throws
    // a std::exception when it cannot: the gate then sends the refusal
    // (if the socket is still in `admission`), logs once per burst, and
    // pauses accepting.
    virtual void admit(Admission& admission) = 0;

   protected:
    ~Host() = default;
  };

  enum class Next {
    wait,   // no connection is waiting: wait until the socket is readable
    again,  // a batch was taken: give the others a turn, then call again
    pause,  // stop watching the socket until resume_at(), then call again
  };

  // `count` holds max_connections; `sources` the rules by address;
  // `protocol` has the refusals; a connection whose descriptor is
  // `fd_ceiling` or above is refused; refusals are counted by reason in
  // `metrics`. All must outlive the gate.
  AcceptGate(spdlog::logger& log, ConnectionCount& count, SourceGuard& sources,
             const proto::Protocol& protocol, metrics::ListenerMetrics metrics,
             int fd_ceiling = INT_MAX);

  Next accept_some(net::Fd listening, Host& host, Clock::time_point now) noexcept;
  // For a model whose accepts complete elsewhere (io_uring): one
  // connection, or one failure, as accept(2) returned it, handled as
  // accept_some() handles each (provision() is not asked: the connection
  // is taken already). Says wait, or pause.
  Next take_accepted(net::Accepted accepted, Host& host, Clock::time_point now) noexcept;

  // A connection the rules refused: counted by its reason, logged once per
  // burst of the reason with `peer` and `detail`, sent the protocol's
  // refusal for it (none for denied and proxy_header), closed by the
  // caller. The connection core calls it too, for a peer a PROXY header
  // named.
  void refuse(net::Fd socket, metrics::CloseReason why, const std::string& peer,
              const std::string& detail, Clock::time_point now) noexcept;
  // A connection the rules let through: ends the bursts of refusals.
  void admitted(Clock::time_point now) noexcept;

  // PeerVetting: for the connection core of a peer that sent a PROXY
  // header, in this process.
  SourceGuard::Verdict vet(const net::IpAddress& peer, const std::string& peer_text,
                           Clock::time_point now) override;
  void preamble_failed(metrics::CloseReason reason, const std::string& peer_text,
                       const std::string& why, Clock::time_point now) noexcept override;
  const std::string& refusal(metrics::CloseReason why) const noexcept override;

  // When a pause ends (meaningful after Next::pause).
  Clock::time_point resume_at() const noexcept;

 private:
  Next failed(int error, Clock::time_point now) noexcept;
  Next pause(Clock::time_point now) noexcept;
  // One accept's outcome; none: go on with the next one.
  std::optional<Next> handle(net::Accepted accepted, Host& host, Clock::time_point now) noexcept;
  bool take(net::Accepted accepted, Host& host, Clock::time_point now) noexcept;
  void refuse(const net::UniqueFd& socket, CloseReason why) const noexcept;
  BurstLog* burst_of(CloseReason why) noexcept;

  void settle(BurstLog& log, Clock::time_point now) noexcept;
  void hit(BurstLog& log, Clock::time_point now, const std::string& detail) noexcept;

  spdlog::logger& log_;
  ConnectionCount& count_;
  SourceGuard& sources_;
  const proto::Protocol& protocol_;
  const metrics::ListenerMetrics metrics_;
  const int fd_ceiling_;
  mutable std::mutex mutex_;   // guards what follows
  Clock::duration backoff_{};  // the last pause; zero after a success
  Clock::time_point resume_at_{};
  BurstLog accept_errors_{"accept failed"};
  BurstLog refusals_{"max_connections reached; refusing connections"};
  BurstLog unserved_{"cannot serve a new connection"};
  BurstLog denied_{"address denied by allow/deny; refusing connections"};
  BurstLog per_source_;
  BurstLog rate_;
  BurstLog proxy_header_{"no valid PROXY header; closing connections"};
  BurstLog tls_handshake_{"TLS handshake failed; closing connections"};
  BurstLog beyond_ceiling_;
};

}  // namespace netcook::model
