#include "model/accept_gate.hpp"

#include "config/units.hpp"
#include "log/fields.hpp"
#include "net/accept.hpp"
#include "net/address.hpp"
#include "net/cidr.hpp"
#include "net/socket.hpp"

#include <algorithm>
#include <cstring>
#include <exception>

#include <fmt/format.h>
#include <sys/socket.h>

namespace netcook::model {
namespace {

// Connections taken per call before the others get a turn.
constexpr int kAcceptBatch = 64;
constexpr AcceptGate::Clock::duration kBackoffFirst = std::chrono::milliseconds(50);
constexpr AcceptGate::Clock::duration kBackoffMax = std::chrono::seconds(1);

}  // namespace

AcceptGate::AcceptGate(spdlog::logger& log, ConnectionCount& count, SourceGuard& sources,
                       const proto::Protocol& protocol, metrics::ListenerMetrics metrics,
                       int fd_ceiling)
    : log_(log),
      count_(count),
      sources_(sources),
      protocol_(protocol),
      metrics_(metrics),
      fd_ceiling_(fd_ceiling),
      per_source_(fmt::format("max_connections_per_source ({}) reached; refusing connections",
                              sources.rules().max_connections_per_source)),
      rate_(fmt::format("connection_rate ({}, burst {}) spent; refusing connections",
                        config::format_rate(sources.rules().connection_rate.rate),
                        sources.rules().connection_rate.burst)),
      beyond_ceiling_(fmt::format(
          "connection's file descriptor is at or above FD_SETSIZE ({}), which select(2) cannot "
          "watch; refusing connections (the select model serves at most ~{} per process)",
          fd_ceiling, fd_ceiling)) {}

AcceptGate::Next AcceptGate::accept_some(net::Fd listening, Host& host,
                                         Clock::time_point now) noexcept {
  for (int i = 0; i < kAcceptBatch; ++i) {
    if (const int error = host.provision(); error != 0) return failed(error, now);
    if (const auto next = handle(net::accept_connection(listening), host, now)) return *next;
  }
  return Next::again;
}

AcceptGate::Next AcceptGate::take_accepted(net::Accepted accepted, Host& host,
                                           Clock::time_point now) noexcept {
  return handle(std::move(accepted), host, now).value_or(Next::wait);
}

std::optional<AcceptGate::Next> AcceptGate::handle(net::Accepted accepted, Host& host,
                                                   Clock::time_point now) noexcept {
  switch (accepted.status) {
    case net::Accepted::Status::ok:
      break;
    case net::Accepted::Status::empty:
      return Next::wait;
    case net::Accepted::Status::lost_one:
      return std::nullopt;
    case net::Accepted::Status::out_of_resources:
    case net::Accepted::Status::broken:
      return failed(accepted.error, now);
  }
  {
    std::lock_guard lock(mutex_);
    accept_errors_.settle(log_, now);
    backoff_ = {};
  }
  if (!take(std::move(accepted), host, now)) return pause(now);
  return std::nullopt;
}

// False when the host could not serve the connection.
bool AcceptGate::take(net::Accepted accepted, Host& host, Clock::time_point now) noexcept {
  Admission admission{std::move(accepted.fd), Slot()};
  SourceHold hold;
  if (sources_.active()) {
    const auto peer =
        net::ip_of(reinterpret_cast<const sockaddr*>(&accepted.peer), accepted.peer_length);
    // A peer that sends a PROXY header is vetted by its connection core
    // once the header names the real peer.
    admission.awaits_proxy_header = peer && sources_.expects_proxy_header(*peer);
    if (peer && !admission.awaits_proxy_header) {
      SourceGuard::Verdict verdict = sources_.vet(*peer, now);
      if (verdict.refused) {
        refuse(admission.socket.borrow(), *verdict.refused,
               net::format_sockaddr(reinterpret_cast<const sockaddr*>(&accepted.peer),
                                    accepted.peer_length),
               verdict.detail, now);
        return true;
      }
      hold = std::move(verdict.hold);
      admitted(now);
    }
  }
  if (admission.socket.get() >= fd_ceiling_) {
    hit(beyond_ceiling_, now,
        fmt::format("fd {} from {}", admission.socket.get(),
                    net::peer_address(admission.socket.borrow())));
    refuse(admission.socket, CloseReason::full);
    return true;
  }
  settle(beyond_ceiling_, now);
  admission.slot = Slot(count_, std::move(hold));
  if (!admission.slot) {
    hit(refusals_, now, net::peer_address(admission.socket.borrow()));
    refuse(admission.socket, CloseReason::full);
    return true;
  }
  settle(refusals_, now);
  try {
    host.admit(admission);
  } catch (const std::exception& e) {
    hit(unserved_, now, e.what());
    if (admission.socket) refuse(admission.socket, CloseReason::unserved);
    return false;
  }
  settle(unserved_, now);
  return true;
}

// Best effort: the refusal goes out only if the socket buffer takes it now.
void AcceptGate::refuse(const net::UniqueFd& socket, CloseReason why) const noexcept {
  metrics_.here().refused_by(why);
  const std::string& bytes = refusal(why);
  if (!bytes.empty())
    ::send(socket.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void AcceptGate::refuse(net::Fd socket, CloseReason why, const std::string& peer,
                        const std::string& detail, Clock::time_point now) noexcept {
  metrics_.here().refused_by(why);
  if (BurstLog* burst = burst_of(why)) {
    const log::PeerScope scope(peer);  // PEER= on the burst's first line
    hit(*burst, now, detail.empty() ? peer : fmt::format("{} ({})", peer, detail));
  }
  const std::string& bytes = refusal(why);
  if (socket && !bytes.empty())
    ::send(socket.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

SourceGuard::Verdict AcceptGate::vet(const net::IpAddress& peer, const std::string& peer_text,
                                     Clock::time_point now) {
  SourceGuard::Verdict verdict = sources_.vet(peer, now);
  if (verdict.refused)
    refuse(net::Fd(), *verdict.refused, peer_text, verdict.detail, now);
  else
    admitted(now);
  return verdict;
}

void AcceptGate::preamble_failed(CloseReason reason, const std::string& peer_text,
                                 const std::string& why, Clock::time_point now) noexcept {
  refuse(net::Fd(), reason, peer_text, why, now);
}

void AcceptGate::admitted(Clock::time_point now) noexcept {
  std::lock_guard lock(mutex_);
  for (BurstLog* burst : {&denied_, &per_source_, &rate_, &proxy_header_, &tls_handshake_})
    burst->settle(log_, now);
}

const std::string& refusal_of(const proto::Protocol& protocol, CloseReason why) noexcept {
  static const std::string none;
  switch (why) {
    case CloseReason::full:
    case CloseReason::unserved:
      return protocol.refusal;
    case CloseReason::per_source:
      return protocol.source_refusal;
    case CloseReason::rate:
      return protocol.rate_refusal;
    default:
      return none;  // denied, a bad PROXY header: not a byte
  }
}

const std::string& AcceptGate::refusal(CloseReason why) const noexcept {
  return refusal_of(protocol_, why);
}

BurstLog* AcceptGate::burst_of(CloseReason why) noexcept {
  switch (why) {
    case CloseReason::denied:
      return &denied_;
    case CloseReason::per_source:
      return &per_source_;
    case CloseReason::rate:
      return &rate_;
    case CloseReason::proxy_header:
      return &proxy_header_;
    case CloseReason::tls_handshake:
      return &tls_handshake_;
    case CloseReason::full:
      return &refusals_;
    default:
      return nullptr;
  }
}

// A shortage of descriptors or memory, or a broken listening socket:
// accepting again at once would fail again while the socket stays
// readable. Connections closing meanwhile free what is lacking.
AcceptGate::Next AcceptGate::failed(int error, Clock::time_point now) noexcept {
  hit(accept_errors_, now, std::strerror(error));
  return pause(now);
}

AcceptGate::Next AcceptGate::pause(Clock::time_point now) noexcept {
  std::lock_guard lock(mutex_);
  backoff_ = backoff_ == Clock::duration{} ? kBackoffFirst : std::min(backoff_ * 2, kBackoffMax);
  resume_at_ = now + backoff_;
  return Next::pause;
}

AcceptGate::Clock::time_point AcceptGate::resume_at() const noexcept {
  std::lock_guard lock(mutex_);
  return resume_at_;
}

void AcceptGate::settle(BurstLog& log, Clock::time_point now) noexcept {
  std::lock_guard lock(mutex_);
  log.settle(log_, now);
}

void AcceptGate::hit(BurstLog& log, Clock::time_point now, const std::string& detail) noexcept {
  std::lock_guard lock(mutex_);
  log.hit(log_, now, detail);
}

}  // namespace netcook::model
