#include "net/accept.hpp"

#include <cerrno>

#include <sys/socket.h>

namespace netcook::net {

Accepted::Status classify_accept_error(int error) noexcept {
  switch (error) {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
      return Accepted::Status::empty;
    // accept(2): "Linux accept() passes already-pending network errors on
    // the new socket as an error code from accept() ... should be treated
    // like EAGAIN by retrying."
    case ECONNABORTED:
    case EPERM:  // a firewall rule refused it
    case EPROTO:
    case ENOPROTOOPT:
    case ENETDOWN:
    case ENETUNREACH:
    case EHOSTDOWN:
    case EHOSTUNREACH:
    case ENONET:
    case EOPNOTSUPP:
      return Accepted::Status::lost_one;
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
      return Accepted::Status::out_of_resources;
    default:
      return Accepted::Status::broken;
  }
}

Accepted accept_connection(Fd listening) noexcept {
  Accepted result;
  int fd = -1;
  do {
    result.peer_length = sizeof result.peer;
    fd = ::accept4(listening.get(), reinterpret_cast<sockaddr*>(&result.peer), &result.peer_length,
                   SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd >= 0) {
    result.status = Accepted::Status::ok;
    result.fd.reset(fd);
    return result;
  }
  result.peer_length = 0;
  result.error = errno;
  result.status = classify_accept_error(result.error);
  return result;
}

Accepted accepted_from(int result) noexcept {
  Accepted accepted;
  if (result < 0) {
    accepted.error = -result;
    accepted.status = accepted.error == EAGAIN ? Accepted::Status::empty
                                               : classify_accept_error(accepted.error);
    return accepted;
  }
  accepted.status = Accepted::Status::ok;
  accepted.fd.reset(result);
  accepted.peer_length = sizeof accepted.peer;
  if (::getpeername(result, reinterpret_cast<sockaddr*>(&accepted.peer), &accepted.peer_length) != 0)
    accepted.peer_length = 0;  // gone already: its session will find out
  return accepted;
}

}  // namespace netcook::net
