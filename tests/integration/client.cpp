#include "client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace netcook::test {

namespace {

// poll(2) for `events` on `fd` until `deadline`; false on timeout.
bool wait_ready(int fd, short events, const Deadline& deadline) {
  while (true) {
    pollfd pfd{fd, events, 0};
    const int n = ::poll(&pfd, 1, deadline.poll_ms());
    if (n > 0) {
      return true;
    }
    if (n == 0) {
      return false;
    }
    if (errno != EINTR) {
      return true;  // a poll error: let the I/O call report it
    }
  }
}

// `host` (an IPv4 or IPv6 literal) and `port` as a socket address.
bool to_socket_address(const std::string& host, std::uint16_t port,
                       sockaddr_storage& address, socklen_t& length) {
  auto& v4 = reinterpret_cast<sockaddr_in&>(address);
  if (::inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    length = sizeof v4;
    return true;
  }
  auto& v6 = reinterpret_cast<sockaddr_in6&>(address);
  if (::inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    length = sizeof v6;
    return true;
  }
  return false;
}

}  // namespace

const char* to_string(IoStatus status) {
  switch (status) {
    case IoStatus::ok:
      return "ok";
    case IoStatus::closed:
      return "closed";
    case IoStatus::timeout:
      return "timeout";
    case IoStatus::error:
      return "error";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& out, IoStatus status) {
  return out << to_string(status);
}

ConnectResult Client::try_connect(std::uint16_t port, Timeout timeout) {
  return try_connect(port, ConnectOptions{}, timeout);
}

ConnectResult Client::try_connect(std::uint16_t port,
                                  const ConnectOptions& options,
                                  Timeout timeout) {
  sockaddr_storage address{};
  socklen_t address_length = 0;
  if (!to_socket_address(options.host, port, address, address_length)) {
    return {std::nullopt, EINVAL};
  }
  UniqueFd fd(::socket(address.ss_family,
                       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return {std::nullopt, errno};
  }
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (options.receive_buffer > 0 &&
      ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &options.receive_buffer,
                   sizeof options.receive_buffer) != 0) {
    return {std::nullopt, errno};
  }
  if (!options.source.empty()) {
    sockaddr_storage source{};
    socklen_t source_length = 0;
    if (!to_socket_address(options.source, 0, source, source_length)) {
      return {std::nullopt, EINVAL};
    }
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&source),
               source_length) != 0) {
      return {std::nullopt, errno};
    }
  }
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address),
                address_length) != 0) {
    if (errno != EINPROGRESS) {
      return {std::nullopt, errno};
    }
    if (!wait_ready(fd.get(), POLLOUT, Deadline(timeout))) {
      return {std::nullopt, ETIMEDOUT};
    }
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      return {std::nullopt, error};
    }
  }
  return {Client(std::move(fd)), 0};
}

Client Client::connect(std::uint16_t port, Timeout timeout) {
  return connect(port, ConnectOptions{}, timeout);
}

Client Client::connect(std::uint16_t port, const ConnectOptions& options,
                       Timeout timeout) {
  auto result = try_connect(port, options, timeout);
  if (!result.client) {
    const bool v6 = options.host.find(':') != std::string::npos;
    const std::string host = v6 ? "[" + options.host + "]" : options.host;
    throw std::system_error(result.error, std::generic_category(),
                            "connect to " + host + ":" + std::to_string(port));
  }
  return std::move(*result.client);
}

IoStatus Client::write_all(std::string_view data, Timeout timeout) const {
  const Deadline deadline(timeout);
  while (!data.empty()) {
    const ssize_t n = ::send(fd_.get(), data.data(), data.size(),
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_ready(fd_.get(), POLLOUT, deadline)) {
        return IoStatus::timeout;
      }
    } else if (errno != EINTR) {
      return IoStatus::error;
    }
  }
  return IoStatus::ok;
}

IoStatus Client::fill(const Deadline& deadline) {
  char chunk[65536];
  while (true) {
    const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, MSG_DONTWAIT);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return last_status_ = IoStatus::ok;
    }
    if (n == 0) {
      return last_status_ = IoStatus::closed;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_ready(fd_.get(), POLLIN, deadline)) {
        return last_status_ = IoStatus::timeout;
      }
    } else if (errno != EINTR) {
      last_error_ = errno;
      return last_status_ = IoStatus::error;
    }
  }
}

std::string Client::take(std::size_t size) {
  std::string result = buffer_.substr(0, size);
  buffer_.erase(0, size);
  return result;
}

std::string Client::read_exact(std::size_t size, Timeout timeout) {
  const Deadline deadline(timeout);
  last_status_ = IoStatus::ok;
  while (buffer_.size() < size && fill(deadline) == IoStatus::ok) {
  }
  return take(size);
}

std::size_t Client::discard(std::size_t size, Timeout timeout) {
  const Deadline deadline(timeout);
  last_status_ = IoStatus::ok;
  std::size_t dropped = 0;
  while (true) {
    const std::size_t n = std::min(size - dropped, buffer_.size());
    buffer_.erase(0, n);
    dropped += n;
    if (dropped == size || fill(deadline) != IoStatus::ok) return dropped;
  }
}

std::string Client::read_line(Timeout timeout) {
  const Deadline deadline(timeout);
  last_status_ = IoStatus::ok;
  std::size_t scanned = 0;
  while (true) {
    const std::size_t newline = buffer_.find('\n', scanned);
    if (newline != std::string::npos) {
      return take(newline + 1);
    }
    scanned = buffer_.size();
    if (fill(deadline) != IoStatus::ok) {
      return take(buffer_.size());
    }
  }
}

IoStatus Client::read_available(std::string& into, Timeout timeout) {
  last_status_ = IoStatus::ok;
  if (buffer_.empty() && fill(Deadline(timeout)) != IoStatus::ok) {
    return last_status_;
  }
  if (into.empty()) {
    into.swap(buffer_);
  } else {
    into += buffer_;
  }
  buffer_.clear();
  return IoStatus::ok;
}

std::string Client::exchange(std::string_view message, Timeout timeout) {
  const Deadline deadline(timeout);
  last_status_ = write_all(message, deadline.remaining());
  if (last_status_ != IoStatus::ok) {
    return {};
  }
  return read_exact(message.size(), deadline.remaining());
}

IoStatus Client::wait_closed(Timeout timeout) {
  if (!buffer_.empty()) {
    return IoStatus::ok;
  }
  const IoStatus status = fill(Deadline(timeout));
  if (status == IoStatus::error && last_error_ == ECONNRESET) {
    return last_status_ = IoStatus::closed;
  }
  return status;
}

std::string Client::local_address() const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length);
  char host[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(v6.sin6_port));
  }
  const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
  ::inet_ntop(AF_INET, &v4.sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(v4.sin_port));
}

void Client::shutdown_write() const { ::shutdown(fd_.get(), SHUT_WR); }

void Client::shutdown_both() const { ::shutdown(fd_.get(), SHUT_RDWR); }

void Client::close_with_reset() {
  const linger abortive{1, 0};
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
  fd_.reset();
}

bool has_ipv6_loopback() {
  UniqueFd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  return ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

}  // namespace netcook::test
