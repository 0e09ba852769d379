#include "model/accept_gate.hpp"

#include "net/accept.hpp"
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

AcceptGate::AcceptGate(spdlog::logger& log, ConnectionCount& count, const std::string& refusal,
                       metrics::ListenerMetrics metrics, int fd_ceiling)
    : log_(log),
      count_(count),
      refusal_(refusal),
      metrics_(metrics),
      fd_ceiling_(fd_ceiling),
      beyond_ceiling_(fmt::format(
          "connection's file descriptor is at or above FD_SETSIZE ({}), which select(2) cannot "
          "watch; refusing connections (the select model serves at most ~{} per process)",
          fd_ceiling, fd_ceiling)) {}

AcceptGate::Next AcceptGate::accept_some(net::Fd listening, Host& host,
                                         Clock::time_point now) noexcept {
  for (int i = 0; i < kAcceptBatch; ++i) {
    if (const int error = host.provision(); error != 0) return failed(error, now);
    net::Accepted accepted = net::accept_connection(listening);
    switch (accepted.status) {
      case net::Accepted::Status::ok:
        break;
      case net::Accepted::Status::empty:
        return Next::wait;
      case net::Accepted::Status::lost_one:
        continue;
      case net::Accepted::Status::out_of_resources:
      case net::Accepted::Status::broken:
        return failed(accepted.error, now);
    }
    {
      std::lock_guard lock(mutex_);
      accept_errors_.settle(log_, now);
      backoff_ = {};
    }
    if (!take({std::move(accepted.fd), Slot()}, host, now)) return pause(now);
  }
  return Next::again;
}

// False when the host could not serve the connection.
bool AcceptGate::take(Admission admission, Host& host, Clock::time_point now) noexcept {
  if (admission.socket.get() >= fd_ceiling_) {
    hit(beyond_ceiling_, now,
        fmt::format("fd {} from {}", admission.socket.get(),
                    net::peer_address(admission.socket.borrow())));
    refuse(admission.socket, CloseReason::full);
    return true;
  }
  settle(beyond_ceiling_, now);
  admission.slot = Slot(count_);
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
  if (!refusal_.empty())
    ::send(socket.get(), refusal_.data(), refusal_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
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
