#include "model/select/acceptor.hpp"

#include "model/select/fd_sets.hpp"
#include "net/socket.hpp"

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>

namespace netcook::model::select_model {
namespace {

// Connections accepted per turn before the connections get theirs.
constexpr int kAcceptBatch = 64;
constexpr auto kBackoffFirst = std::chrono::milliseconds(50);
constexpr auto kBackoffMax = std::chrono::seconds(1);

std::string describe(int error) {
  return std::error_code(error, std::generic_category()).message();
}

// accept(2) errors that concern one pending connection only: try the next.
bool about_one_connection(int error) noexcept {
  switch (error) {
    case EINTR:
    case ECONNABORTED:
    case EPERM:  // a firewall rule refused it
    case EPROTO:
    case ENETDOWN:
    case ENETUNREACH:
    case EHOSTDOWN:
    case EHOSTUNREACH:
    case ENONET:
    case ENOPROTOOPT:
    case EOPNOTSUPP:
      return true;
    default:
      return false;
  }
}

}  // namespace

Acceptor::Acceptor(int listen_fd, const DriverSettings& settings, ConnectionCount& count,
                   const std::string& refusal, Admit admit)
    : fd_(listen_fd),
      settings_(settings),
      count_(count),
      refusal_(refusal),
      admit_(std::move(admit)),
      beyond_ceiling_(fmt::format(
          "connection's file descriptor is at or above FD_SETSIZE ({}), which select(2) cannot "
          "watch; refusing connections (the select model serves at most ~{} per process)",
          kFdCeiling, kFdCeiling)) {}

void Acceptor::prepare() {
  if (!selectable(fd_)) {
    net::UniqueFd copy(::fcntl(fd_, F_DUPFD_CLOEXEC, 0));
    if (!copy)
      throw std::system_error(errno, std::generic_category(),
                              fmt::format("cannot duplicate listening socket {}", fd_));
    if (!selectable(copy.get()))
      throw std::runtime_error(fmt::format(
          "the listening socket is file descriptor {} and none below FD_SETSIZE ({}) is free; "
          "select(2) cannot watch it (use another model, or fewer open files)",
          fd_, kFdCeiling));
    low_copy_ = std::move(copy);
    fd_ = low_copy_.get();
  }
  // A turn must never block in accept(); sockets we bind are non-blocking
  // already, this covers any other.
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags >= 0 && !(flags & O_NONBLOCK)) ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
}

std::optional<Acceptor::Clock::time_point> Acceptor::resumes_at(
    Clock::time_point now) const noexcept {
  if (accepting_ && now < resume_at_) return resume_at_;
  return std::nullopt;
}

void Acceptor::accept_some(Clock::time_point now) noexcept {
  for (int i = 0; i < kAcceptBatch && accepting_; ++i) {
    net::UniqueFd fd(::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (fd) {
      errors_.settle(*settings_.log, now);
      backoff_ = {};
      take(std::move(fd), now);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    } else if (!about_one_connection(errno)) {
      failed(errno, now);
      return;
    }
  }
}

void Acceptor::take(net::UniqueFd fd, Clock::time_point now) noexcept {
  if (!selectable(fd.get())) {
    beyond_ceiling_.hit(*settings_.log, now,
                        fmt::format("fd {} from {}", fd.get(), net::peer_address(fd.get())));
    refuse(fd);
    return;
  }
  beyond_ceiling_.settle(*settings_.log, now);
  if (!count_.try_acquire()) {
    full_.hit(*settings_.log, now, net::peer_address(fd.get()));
    refuse(fd);
    return;
  }
  full_.settle(*settings_.log, now);
  admit_(std::move(fd), now);
}

// Best effort: the refusal goes out only if the socket buffer takes it now.
void Acceptor::refuse(const net::UniqueFd& fd) noexcept {
  if (!refusal_.empty())
    ::send(fd.get(), refusal_.data(), refusal_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

// Out of descriptors or memory, accept() would fail again at once while the
// listening socket stays readable: stop watching it for a while. Connections
// closing meanwhile free what is lacking. Unexpected errors (a listening
// socket shut down under us) back off too, so nothing can spin.
void Acceptor::failed(int error, Clock::time_point now) noexcept {
  errors_.hit(*settings_.log, now, describe(error));
  backoff_ = backoff_ == Clock::duration{}
                 ? std::chrono::duration_cast<Clock::duration>(kBackoffFirst)
                 : std::min<Clock::duration>(backoff_ * 2, kBackoffMax);
  resume_at_ = now + backoff_;
}

void Acceptor::stop() noexcept {
  accepting_ = false;
  low_copy_.reset();  // the caller may close the listening socket now
}

}  // namespace netcook::model::select_model
