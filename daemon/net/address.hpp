#pragma once

// A listen address as written in the configuration, parsed but not resolved:
// "127.0.0.1:7007", "[::1]:7007", "*:7007" (every address, dual stack) or
// "unix:/run/netcookd/echo.sock". No DNS names: a daemon that binds must not
// depend on a resolver at start-up.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sys/socket.h>

namespace netcook::net {

struct Address {
  enum class Kind { inet4, inet6, any, unix_path };

  Kind kind = Kind::inet4;
  std::string host;  // numeric IPv4/IPv6 text (no brackets), or the unix path
  std::uint16_t port = 0;

  bool operator==(const Address&) const = default;

  // "127.0.0.1:7007", "[::1]:7007", "*:7007", "unix:/path".
  std::string to_string() const;

  // Whether two addresses cannot both be bound at once (same port and one of
  // them a wildcard, or identical). Port 0 never conflicts.
  bool conflicts_with(const Address& other) const;
};

// Parses the textual form; on failure returns nullopt and sets `error` to a
// message that says what is wrong.
std::optional<Address> parse_address(std::string_view text, std::string& error);

// The socket address to bind for `address` (for `any`, "[::]" with
// IPV6_V6ONLY off). Returns the length used in `storage`.
socklen_t to_sockaddr(const Address& address, sockaddr_storage& storage);

// Text for a connected or bound socket address: "1.2.3.4:5", "[::1]:5",
// "unix:/path" (or "unix" for an unnamed peer).
std::string format_sockaddr(const sockaddr* address, socklen_t length);

// The host part only, IPv6 without brackets ("::1"); used in chat lines.
std::string format_host(const sockaddr* address, socklen_t length);

}  // namespace netcook::net
