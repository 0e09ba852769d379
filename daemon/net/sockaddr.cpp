// The sockaddr half of address.hpp: turning an Address into something to
// bind, and a kernel-reported peer or local address into text.

#include "net/address.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

namespace netcook::net {
namespace {

socklen_t fill_inet4(const Address& address, sockaddr_storage& storage) {
  auto& in = reinterpret_cast<sockaddr_in&>(storage);
  in.sin_family = AF_INET;
  in.sin_port = htons(address.port);
  inet_pton(AF_INET, address.host.c_str(), &in.sin_addr);
  return sizeof in;
}

socklen_t fill_inet6(const Address& address, sockaddr_storage& storage) {
  auto& in6 = reinterpret_cast<sockaddr_in6&>(storage);
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(address.port);
  if (address.kind == Address::Kind::any)
    in6.sin6_addr = in6addr_any;
  else
    inet_pton(AF_INET6, address.host.c_str(), &in6.sin6_addr);
  return sizeof in6;
}

socklen_t fill_unix(const Address& address, sockaddr_storage& storage) {
  auto& un = reinterpret_cast<sockaddr_un&>(storage);
  un.sun_family = AF_UNIX;
  // parse_address() guarantees the path fits with its NUL.
  const auto length = std::min(address.host.size(), sizeof un.sun_path - 1);
  std::memcpy(un.sun_path, address.host.data(), length);
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length + 1);
}

// "unix:/path", "unix:@abstract", or "unix" for an unnamed socket.
std::string unix_text(const sockaddr* address, socklen_t length) {
  const auto offset = offsetof(sockaddr_un, sun_path);
  if (length <= offset) return "unix";
  const auto* un = reinterpret_cast<const sockaddr_un*>(address);
  const auto max = std::min<std::size_t>(length - offset, sizeof un->sun_path);
  if (un->sun_path[0] == '\0') {
    if (max <= 1) return "unix";
    return fmt::format("unix:@{}", std::string_view(un->sun_path + 1, max - 1));
  }
  return fmt::format("unix:{}", std::string_view(un->sun_path,
                                                 strnlen(un->sun_path, max)));
}

struct HostPort {
  std::string host;
  bool bracket = false;  // IPv6 needs brackets before ":port"
  std::uint16_t port = 0;
};

// An IPv4-mapped IPv6 address (a v4 client on a dual-stack socket) is shown
// as the IPv4 address people expect.
std::optional<HostPort> inet_host_port(const sockaddr* address,
                                       socklen_t length) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return HostPort{text, false, ntohs(in->sin_port)};
  }
  if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    const auto port = ntohs(in6->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      inet_ntop(AF_INET, in6->sin6_addr.s6_addr + 12, text, sizeof text);
      return HostPort{text, false, port};
    }
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    return HostPort{text, true, port};
  }
  return std::nullopt;
}

bool has_family(const sockaddr* address, socklen_t length) {
  return address != nullptr && length >= sizeof(sa_family_t);
}

}  // namespace

socklen_t to_sockaddr(const Address& address, sockaddr_storage& storage) {
  storage = {};
  switch (address.kind) {
    case Address::Kind::inet4: return fill_inet4(address, storage);
    case Address::Kind::inet6:
    case Address::Kind::any: return fill_inet6(address, storage);
    case Address::Kind::unix_path: return fill_unix(address, storage);
  }
  return 0;
}

std::string format_sockaddr(const sockaddr* address, socklen_t length) {
  if (!has_family(address, length)) return "unknown";
  if (address->sa_family == AF_UNIX) return unix_text(address, length);
  auto parts = inet_host_port(address, length);
  if (!parts) return fmt::format("unknown (family {})", address->sa_family);
  if (parts->bracket) return fmt::format("[{}]:{}", parts->host, parts->port);
  return fmt::format("{}:{}", parts->host, parts->port);
}

std::string format_host(const sockaddr* address, socklen_t length) {
  if (!has_family(address, length)) return "unknown";
  if (address->sa_family == AF_UNIX) return "unix";
  auto parts = inet_host_port(address, length);
  if (!parts) return fmt::format("unknown (family {})", address->sa_family);
  return parts->host;
}

}  // namespace netcook::net
