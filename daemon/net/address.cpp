#include "net/address.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include <arpa/inet.h>
#include <sys/un.h>

namespace netcook::net {
namespace {

constexpr std::string_view kUnixPrefix = "unix:";
constexpr std::string_view kForms =
    "use IPv4:port, [IPv6]:port, *:port or unix:/path";

// sun_path holds the path and its terminating NUL.
constexpr std::size_t kMaxUnixPath = sizeof(sockaddr_un::sun_path) - 1;

std::optional<std::uint16_t> parse_port(std::string_view text,
                                        std::string& error) {
  if (text.empty()) {
    error = fmt::format("missing port; {}", kForms);
    return std::nullopt;
  }
  unsigned long value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ptr != end || ec == std::errc::invalid_argument) {
    error = fmt::format("port '{}' is not a number", text);
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || value > 65535) {
    error = fmt::format("port {} is out of range 0..65535", text);
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

// inet_pton accepts only canonical numeric forms; we store the text that
// inet_ntop gives back so that equal addresses compare equal as strings.
std::optional<std::string> canonical_host(int family, const std::string& host) {
  unsigned char binary[sizeof(in6_addr)];
  if (inet_pton(family, host.c_str(), binary) != 1) return std::nullopt;
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(family, binary, text, sizeof text) == nullptr)
    return std::nullopt;
  return std::string(text);
}

std::optional<Address> parse_unix(std::string_view path, std::string& error) {
  if (path.empty() || path.front() != '/') {
    error = fmt::format("unix socket path '{}' must be absolute", path);
    return std::nullopt;
  }
  if (path.size() > kMaxUnixPath) {
    error = fmt::format("unix socket path is {} bytes; the limit is {}",
                        path.size(), kMaxUnixPath);
    return std::nullopt;
  }
  if (path.find('\0') != std::string_view::npos) {
    error = "unix socket path contains a NUL byte";
    return std::nullopt;
  }
  return Address{Address::Kind::unix_path, std::string(path), 0};
}

std::optional<Address> parse_bracketed(std::string_view text,
                                       std::string& error) {
  const auto close = text.find(']');
  if (close == std::string_view::npos) {
    error = "missing ']' after IPv6 address";
    return std::nullopt;
  }
  if (close + 1 >= text.size() || text[close + 1] != ':') {
    error = fmt::format("missing port after ']'; {}", kForms);
    return std::nullopt;
  }
  const std::string host(text.substr(1, close - 1));
  auto canonical = canonical_host(AF_INET6, host);
  if (!canonical) {
    error = fmt::format("'{}' is not a valid IPv6 address", host);
    return std::nullopt;
  }
  auto port = parse_port(text.substr(close + 2), error);
  if (!port) return std::nullopt;
  return Address{Address::Kind::inet6, std::move(*canonical), *port};
}

bool looks_like_ipv4(std::string_view host) {
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.';
  });
}

std::optional<Address> parse_host_port(std::string_view text,
                                       std::string& error) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    error = fmt::format("missing port; {}", kForms);
    return std::nullopt;
  }
  const std::string host(text.substr(0, colon));
  auto port = parse_port(text.substr(colon + 1), error);
  if (!port) return std::nullopt;
  if (host == "*") return Address{Address::Kind::any, host, *port};
  if (host.empty()) {
    error = fmt::format("missing host; write *:{} for every address", *port);
    return std::nullopt;
  }
  if (host.find(':') != std::string::npos) {
    error = fmt::format("IPv6 addresses need brackets: [{}]:{}", host, *port);
    return std::nullopt;
  }
  if (auto canonical = canonical_host(AF_INET, host))
    return Address{Address::Kind::inet4, std::move(*canonical), *port};
  if (looks_like_ipv4(host))
    error = fmt::format("'{}' is not a valid IPv4 address", host);
  else
    error = fmt::format("'{}' is not a numeric address (no DNS names); {}",
                        host, kForms);
  return std::nullopt;
}

bool is_wildcard(const Address& address) {
  return address.kind == Address::Kind::any ||
         (address.kind == Address::Kind::inet4 && address.host == "0.0.0.0") ||
         (address.kind == Address::Kind::inet6 && address.host == "::");
}

}  // namespace

std::string Address::to_string() const {
  switch (kind) {
    case Kind::inet4: return fmt::format("{}:{}", host, port);
    case Kind::inet6: return fmt::format("[{}]:{}", host, port);
    case Kind::any: return fmt::format("*:{}", port);
    case Kind::unix_path: return fmt::format("{}{}", kUnixPrefix, host);
  }
  return {};
}

bool Address::conflicts_with(const Address& other) const {
  const bool this_unix = kind == Kind::unix_path;
  if (this_unix || other.kind == Kind::unix_path)
    return this_unix && other.kind == Kind::unix_path && host == other.host;
  if (port == 0 || other.port == 0 || port != other.port) return false;
  if (kind == Kind::any || other.kind == Kind::any) return true;
  // 0.0.0.0 and :: are wildcards of their own family.
  if (kind != other.kind) return false;
  return host == other.host || is_wildcard(*this) || is_wildcard(other);
}

std::optional<Address> parse_address(std::string_view text,
                                     std::string& error) {
  if (text.empty()) {
    error = fmt::format("empty address; {}", kForms);
    return std::nullopt;
  }
  if (text.starts_with(kUnixPrefix))
    return parse_unix(text.substr(kUnixPrefix.size()), error);
  if (text.front() == '[') return parse_bracketed(text, error);
  return parse_host_port(text, error);
}

}  // namespace netcook::net
