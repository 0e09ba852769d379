#include "notify_socket.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

namespace netcook::test {

std::optional<std::string> Notification::field(std::string_view name) const {
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    if (line.size() > name.size() && line.starts_with(name) && line[name.size()] == '=')
      return std::string(line.substr(name.size() + 1));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return std::nullopt;
}

NotifySocket::NotifySocket(std::string path) : path_(std::move(path)) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.size() >= sizeof address.sun_path)
    throw std::invalid_argument("notify socket path too long: " + path_);
  std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
  fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd_.valid()) throw std::system_error(errno, std::generic_category(), "socket");
  if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    throw std::system_error(errno, std::generic_category(), "bind " + path_);
}

std::optional<Notification> NotifySocket::next(Timeout timeout) {
  const Deadline deadline(timeout);
  for (;;) {
    pollfd ready{fd_.get(), POLLIN, 0};
    const int count = ::poll(&ready, 1, deadline.poll_ms());
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return std::nullopt;
    char buffer[4096];
    const ssize_t got = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw std::system_error(errno, std::generic_category(), "recv");
    return Notification{std::string(buffer, static_cast<std::size_t>(got)), Clock::now()};
  }
}

std::optional<Notification> NotifySocket::wait_for(std::string_view name,
                                                   std::optional<std::string_view> value,
                                                   Timeout timeout) {
  const Deadline deadline(timeout);
  while (auto notification = next(deadline.remaining())) {
    const auto found = notification->field(name);
    if (found && (!value || *found == *value)) return notification;
  }
  return std::nullopt;
}

}  // namespace netcook::test
