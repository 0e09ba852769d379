#pragma once

// IP addresses and networks for the accept gate's rules (allow, deny,
// proxy_protocol.from, per-source tables). An address is held as 16 bytes,
// IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), so that a peer that reaches a
// dual-stack socket as ::ffff:10.1.2.3 is the same source, and matches the
// same rules, as 10.1.2.3 on an IPv4 socket. A network remembers its family:
// an IPv6 rule never matches an IPv4 peer (::/0 is "every IPv6 peer").

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sys/socket.h>

namespace netcook::net {

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};

  // Whether it is an IPv4 address (held as ::ffff:a.b.c.d).
  bool is_v4() const noexcept;
  // The same address with all but the first `bits` of its 128 zeroed.
  IpAddress masked(unsigned bits) const noexcept;

  bool operator==(const IpAddress&) const = default;
  auto operator<=>(const IpAddress&) const = default;
};

// "10.0.0.1", "2001:db8::1" (IPv4 in dotted quad, IPv6 per RFC 5952).
std::string to_string(const IpAddress& address);

// The IP address of a socket address; nullopt for a unix socket or any
// other family, which the rules do not filter.
std::optional<IpAddress> ip_of(const sockaddr* address, socklen_t length) noexcept;

// Parses a numeric IPv4 or IPv6 address ("10.0.0.1", "::1",
// "::ffff:10.0.0.1" is the IPv4 address 10.0.0.1); nullopt otherwise.
std::optional<IpAddress> parse_ip(std::string_view text);

struct Cidr {
  IpAddress network;  // host bits zero
  unsigned bits = 0;  // prefix length over the 128 bits: an IPv4 /8 is 96 + 8
  bool v4 = false;    // an IPv4 network (matches IPv4 peers only)

  // Whether `address` is in the network (same family, same first bits).
  bool contains(const IpAddress& address) const noexcept;
  // The prefix length as written: 8 for 10.0.0.0/8, 64 for 2001:db8::/64.
  unsigned written_bits() const noexcept { return v4 ? bits - 96 : bits; }

  bool operator==(const Cidr&) const = default;
};

// "10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32".
std::string to_string(const Cidr& network);

struct ParsedCidr {
  std::optional<Cidr> cidr;
  std::string error;  // when cidr is empty: what is wrong, for the config error
};

// Parses "10.0.0.0/8", "2001:db8::/32", or a single address "192.0.2.7"
// (a /32) or "::1" (a /128). Errors: not an address, a prefix length beyond
// the family's (10.0.0.0/33, ::1/129), a prefix that is not a decimal
// number, and host bits set (10.0.0.1/8: the error suggests 10.0.0.0/8 or
// 10.0.0.1/32, for a rule that would silently allow or deny a whole
// network by a typo is worse than a refusal to start).
// "::ffff:10.0.0.0/104" is the IPv4 network 10.0.0.0/8.
ParsedCidr parse_cidr(std::string_view text);

}  // namespace netcook::net
