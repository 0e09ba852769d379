#include "net/cidr.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace netcook::net {
namespace {

// ::ffff:0:0/96, the prefix of an IPv4-mapped IPv6 address.
constexpr std::array<std::uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr unsigned kMappedBits = 96;
constexpr std::string_view kForms = "write e.g. 10.0.0.0/8, 2001:db8::/32 or 192.0.2.7";

IpAddress from_v4(const in_addr& address) {
  IpAddress ip;
  std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), ip.bytes.begin());
  std::memcpy(ip.bytes.data() + kMappedPrefix.size(), &address, sizeof address);
  return ip;
}

IpAddress from_v6(const in6_addr& address) {
  IpAddress ip;
  std::memcpy(ip.bytes.data(), &address, ip.bytes.size());
  return ip;
}

// RFC 5952: lower-case hex without leading zeros, the longest run of two or
// more zero groups (the first of equals) as "::".
std::string format_v6(const IpAddress& address) {
  std::array<unsigned, 8> groups{};
  for (std::size_t i = 0; i < groups.size(); ++i)
    groups[i] = (unsigned{address.bytes[2 * i]} << 8) | address.bytes[2 * i + 1];
  std::size_t best_start = groups.size(), best_length = 0;
  for (std::size_t i = 0; i < groups.size();) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < groups.size() && groups[end] == 0) ++end;
    if (end - i > best_length && end - i >= 2) {
      best_start = i;
      best_length = end - i;
    }
    i = end;
  }
  std::string text;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i == best_start) {
      text += "::";
      i += best_length - 1;
      continue;
    }
    if (!text.empty() && text.back() != ':') text += ':';
    text += fmt::format("{:x}", groups[i]);
  }
  return text;
}

// A prefix length: decimal digits, no sign, no leading zero (is "010" ten
// or eight?). nullopt with `error` set otherwise.
std::optional<unsigned> parse_prefix(std::string_view text, std::string& error) {
  if (text.empty()) {
    error = fmt::format("missing prefix length after '/'; {}", kForms);
    return std::nullopt;
  }
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ptr != end || ec == std::errc::invalid_argument || text.front() == '+') {
    error = fmt::format("prefix length '{}' is not a decimal number", text);
    return std::nullopt;
  }
  if (text.size() > 1 && text.front() == '0') {
    error = fmt::format("prefix length '{}' has a leading zero; write {}", text, value);
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range) value = 1000;  // beyond any family
  return value;
}

ParsedCidr failure(std::string error) {
  return ParsedCidr{std::nullopt, std::move(error)};
}

}  // namespace

bool IpAddress::is_v4() const noexcept {
  return std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes.begin());
}

IpAddress IpAddress::masked(unsigned bits) const noexcept {
  IpAddress result = *this;
  for (std::size_t i = 0; i < result.bytes.size(); ++i) {
    const unsigned first = static_cast<unsigned>(i) * 8;
    if (bits >= first + 8) continue;
    const unsigned kept = bits > first ? bits - first : 0;
    result.bytes[i] &= static_cast<std::uint8_t>(0xff00u >> kept);
  }
  return result;
}

std::string to_string(const IpAddress& address) {
  if (address.is_v4())
    return fmt::format("{}.{}.{}.{}", address.bytes[12], address.bytes[13], address.bytes[14],
                       address.bytes[15]);
  return format_v6(address);
}

std::optional<IpAddress> ip_of(const sockaddr* address, socklen_t length) noexcept {
  if (address == nullptr || length < static_cast<socklen_t>(sizeof(sa_family_t)))
    return std::nullopt;
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in)))
    return from_v4(reinterpret_cast<const sockaddr_in*>(address)->sin_addr);
  if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6)))
    return from_v6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
  return std::nullopt;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  // inet_pton wants a C string; an address is short.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string terminated(text);
  in_addr v4{};
  if (inet_pton(AF_INET, terminated.c_str(), &v4) == 1) return from_v4(v4);
  in6_addr v6{};
  if (inet_pton(AF_INET6, terminated.c_str(), &v6) == 1) return from_v6(v6);
  return std::nullopt;
}

bool Cidr::contains(const IpAddress& address) const noexcept {
  return address.is_v4() == v4 && address.masked(bits) == network;
}

std::string to_string(const Cidr& network) {
  return fmt::format("{}/{}", to_string(network.network), network.written_bits());
}

ParsedCidr parse_cidr(std::string_view text) {
  const auto slash = text.find('/');
  const auto address_text = text.substr(0, slash);
  if (address_text.empty())
    return failure(slash == std::string_view::npos
                       ? fmt::format("empty; {}", kForms)
                       : fmt::format("missing address before '/'; {}", kForms));
  const auto address = parse_ip(address_text);
  if (!address)
    return failure(
        fmt::format("'{}' is not a numeric IP address (host names are not "
                    "resolved); {}",
                    address_text, kForms));
  // Written as IPv4, or as IPv6 (which an IPv4-mapped address is, in form).
  const bool written_v4 = address_text.find(':') == std::string_view::npos;
  const unsigned family_bits = written_v4 ? 32 : 128;
  unsigned written = family_bits;
  if (slash != std::string_view::npos) {
    std::string error;
    const auto prefix = parse_prefix(text.substr(slash + 1), error);
    if (!prefix) return failure(std::move(error));
    if (*prefix > family_bits)
      return failure(fmt::format("prefix length {} is beyond {} for {}", text.substr(slash + 1),
                                 family_bits, written_v4 ? "IPv4" : "IPv6"));
    written = *prefix;
  }
  const unsigned bits = written_v4 ? kMappedBits + written : written;
  if (address->is_v4() && bits < kMappedBits)
    return failure(fmt::format(
        "an IPv4-mapped network needs a prefix length of at least {}; better, write it as IPv4 "
        "(::ffff:10.0.0.0/104 is 10.0.0.0/8)",
        kMappedBits));
  const Cidr cidr{address->masked(bits), bits, address->is_v4()};
  if (cidr.network != *address) {
    const auto single = cidr.v4 ? 32u : 128u;
    return failure(fmt::format(
        "host bits are set beyond the /{0}; write {1} for the network, or {2}/{3} for the one "
        "address",
        written, to_string(cidr), to_string(*address), single));
  }
  return ParsedCidr{cidr, {}};
}

}  // namespace netcook::net
