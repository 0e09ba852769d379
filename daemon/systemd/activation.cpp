#include "systemd/activation.hpp"

#include "net/address.hpp"
#include "net/socket.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

namespace netcook::systemd {
namespace {

// The strv sd_listen_fds_with_names() allocates, freed with free(3).
class Names {
 public:
  ~Names() {
    if (names_ == nullptr) return;
    for (char** name = names_; *name != nullptr; ++name) std::free(*name);
    std::free(names_);
  }
  char*** out() noexcept { return &names_; }
  std::string at(int i) const { return names_ != nullptr ? names_[i] : "unknown"; }

 private:
  char** names_ = nullptr;
};

PassedSocket inspect(net::Fd fd, std::string name) {
  PassedSocket socket;
  socket.fd = fd.get();
  socket.name = std::move(name);
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    socket.bound = fmt::format("no address: {}", std::strerror(errno));
    return socket;
  }
  const auto* address = reinterpret_cast<const sockaddr*>(&storage);
  int v6only = 1;
  socklen_t size = sizeof v6only;
  if (storage.ss_family == AF_INET6)
    ::getsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &size);
  socket.address = matchable_address(address, length, v6only != 0);
  socket.bound = net::format_sockaddr(address, length);
  if (storage.ss_family == AF_INET6 && v6only == 0) socket.bound += ", dual stack";
  return socket;
}

// What a passed fd is when it is not a listening stream socket.
std::string what_else(net::Fd fd) {
  if (::sd_is_socket(fd.get(), AF_UNSPEC, 0, -1) <= 0) return "not a socket";
  if (::sd_is_socket(fd.get(), AF_UNSPEC, SOCK_STREAM, -1) <= 0) return "not a stream socket";
  return "a stream socket that is not listening";
}

}  // namespace

ActivatedSockets ActivatedSockets::take() {
  Names names;
  const int count = ::sd_listen_fds_with_names(1, names.out());
  if (count < 0)
    throw std::system_error(-count, std::generic_category(),
                            "cannot take the sockets systemd passed (LISTEN_FDS, LISTEN_FDNAMES)");
  // Owned before anything can throw, so that a refusal closes every one.
  std::vector<Socket> owned;
  for (int i = 0; i < count; ++i)
    owned.push_back(std::make_shared<const net::UniqueFd>(SD_LISTEN_FDS_START + i));
  ActivatedSockets sockets;
  for (int i = 0; i < count; ++i) {
    const net::Fd fd = owned[static_cast<std::size_t>(i)]->borrow();
    PassedSocket passed = inspect(fd, names.at(i));
    if (::sd_is_socket(fd.get(), AF_UNSPEC, SOCK_STREAM, 1) <= 0)
      throw std::runtime_error(fmt::format(
          "systemd passed {}, which is {}; netcookd serves listening stream sockets only "
          "(ListenStream= with Accept=no)",
          describe(passed), what_else(fd)));
    net::set_nonblocking(fd, true);
    sockets.entries_.push_back({std::move(passed), std::move(owned[static_cast<std::size_t>(i)])});
  }
  return sockets;
}

std::vector<PassedSocket> ActivatedSockets::passed() const {
  std::vector<PassedSocket> result;
  result.reserve(entries_.size());
  for (const auto& entry : entries_) result.push_back(entry.passed);
  return result;
}

bool ActivatedSockets::holds(const Socket& socket) const noexcept {
  return socket && std::any_of(entries_.begin(), entries_.end(),
                               [&](const Entry& entry) { return entry.socket == socket; });
}

}  // namespace netcook::systemd
