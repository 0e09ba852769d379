#include "net/socket.hpp"

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <fmt/format.h>

namespace netcook::net {
namespace {

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

// A unix socket path left behind by a previous run blocks bind(); remove it
// only when it really is a socket, never a regular file someone put there,
// and only when nobody listens on it any more (a connect(2) is refused):
// a running process's socket is not ours to take.
void remove_stale_unix_socket(const std::string& path, const sockaddr_storage& address,
                              socklen_t length) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;
  if (!S_ISSOCK(st.st_mode))
    throw_errno(EEXIST, fmt::format("{} exists and is not a socket", path));
  const UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const bool answered =
      probe && (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), length) == 0 ||
                errno == EAGAIN);  // listening, its backlog full
  if (answered)
    throw_errno(EADDRINUSE, fmt::format("{} is in use: another process listens on it", path));
  ::unlink(path.c_str());
}

}  // namespace

UniqueFd listen_on(const Address& address, int backlog) {
  sockaddr_storage storage{};
  const socklen_t length = to_sockaddr(address, storage);
  const std::string text = address.to_string();

  UniqueFd fd(::socket(storage.ss_family,
                       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno(errno, fmt::format("cannot create a socket for {}", text));

  const int one = 1;
  const int zero = 0;
  if (address.kind != Address::Kind::unix_path)
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (address.kind == Address::Kind::any &&
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) != 0)
    throw_errno(errno, fmt::format("cannot make {} dual stack", text));
  if (address.kind == Address::Kind::inet6)
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (address.kind == Address::Kind::unix_path)
    remove_stale_unix_socket(address.host, storage, length);

  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&storage), length) != 0)
    throw_errno(errno, fmt::format("cannot bind {}", text));
  if (::listen(fd.get(), backlog) != 0)
    throw_errno(errno, fmt::format("cannot listen on {}", text));
  return fd;
}

SharedSocket share_listening(UniqueFd fd, const Address& address) {
  struct stat bound {};
  if (address.kind != Address::Kind::unix_path || ::lstat(address.host.c_str(), &bound) != 0)
    return std::make_shared<const UniqueFd>(std::move(fd));
  auto remove_file = [path = address.host, device = bound.st_dev,
                      inode = bound.st_ino](const UniqueFd* socket) {
    struct stat now {};
    if (::lstat(path.c_str(), &now) == 0 && S_ISSOCK(now.st_mode) && now.st_dev == device &&
        now.st_ino == inode)
      ::unlink(path.c_str());
    delete socket;
  };
  return SharedSocket(new UniqueFd(std::move(fd)), std::move(remove_file));
}

std::string local_address(Fd fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&storage), &length) != 0)
    return "?";
  return format_sockaddr(reinterpret_cast<const sockaddr*>(&storage), length);
}

std::string peer_address(Fd fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getpeername(fd.get(), reinterpret_cast<sockaddr*>(&storage), &length) != 0)
    return "?";
  return format_sockaddr(reinterpret_cast<const sockaddr*>(&storage), length);
}

std::string peer_host(Fd fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getpeername(fd.get(), reinterpret_cast<sockaddr*>(&storage), &length) != 0)
    return "?";
  return format_host(reinterpret_cast<const sockaddr*>(&storage), length);
}

void set_nonblocking(Fd fd, bool on) {
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0) throw_errno(errno, "fcntl(F_GETFL)");
  const int wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && ::fcntl(fd.get(), F_SETFL, wanted) != 0)
    throw_errno(errno, "fcntl(F_SETFL)");
}

void set_nodelay(Fd fd) noexcept {
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

unsigned long raise_fd_limit() noexcept {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

}  // namespace netcook::net
