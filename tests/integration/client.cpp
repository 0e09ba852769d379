#include "client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

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

ConnectResult Client::try_connect(std::uint16_t port,
                                          Timeout timeout) {
  UniqueFd fd(
      ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return {std::nullopt, errno};
  }
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address),
                sizeof address) != 0) {
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
  auto result = try_connect(port, timeout);
  if (!result.client) {
    throw std::system_error(result.error, std::generic_category(),
                            "connect to 127.0.0.1:" + std::to_string(port));
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
  sockaddr_in address{};
  socklen_t length = sizeof address;
  ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length);
  char host[INET_ADDRSTRLEN] = "?";
  ::inet_ntop(AF_INET, &address.sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(address.sin_port));
}

void Client::shutdown_write() const { ::shutdown(fd_.get(), SHUT_WR); }

void Client::shutdown_both() const { ::shutdown(fd_.get(), SHUT_RDWR); }

}  // namespace netcook::test
