#include "config/bus_url.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <sys/un.h>

#include <algorithm>
#include <charconv>

namespace netcook::config {
namespace {

constexpr std::string_view kTcpScheme = "redis://";
constexpr std::string_view kUnixScheme = "redis+unix://";
constexpr std::string_view kTlsScheme = "rediss://";
constexpr std::string_view kForms = "write redis://HOST[:PORT][/DB] or redis+unix:///PATH[?db=DB]";
constexpr unsigned kMaxDb = 15;
constexpr std::size_t kMaxName = 253;
constexpr std::size_t kMaxLabel = 63;
// sun_path holds the path and its terminating NUL.
constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;

std::optional<BusEndpoint> fail(BusUrlError& error, std::string reason, bool secret = false) {
  error = {std::move(reason), secret};
  return std::nullopt;
}

bool refuse(BusUrlError& error, std::string reason) {
  error = {std::move(reason), false};
  return false;
}

// Whether a user or a password may be written in `text`: any '@' but in
// the path of a redis+unix URL, where a file name may hold one. Wider than
// the URL's user part, so that a password holding a '/' cannot slip into
// a message that quotes the URL.
bool may_hold_credentials(std::string_view text) {
  if (text.starts_with(kUnixScheme) && text.substr(kUnixScheme.size()).starts_with('/')) {
    const auto query = text.find('?');
    return query != std::string_view::npos && text.find('@', query) != std::string_view::npos;
  }
  return text.find('@') != std::string_view::npos;
}

// Digits only, and at most `max`.
std::optional<unsigned> read_number(std::string_view text, unsigned max) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || text.front() == '+' || ec != std::errc() || ptr != end || value > max)
    return std::nullopt;
  return value;
}

std::optional<unsigned> read_db(std::string_view text, BusUrlError& error) {
  auto db = read_number(text, kMaxDb);
  if (!db) error = {fmt::format("database '{}' is not a number from 0 to {}", text, kMaxDb), false};
  return db;
}

bool is_ipv4_like(std::string_view host) {
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// A DNS name (underscores allowed, as container runtimes name hosts):
// labels of 1-63 letters, digits, '-' and '_', not starting or ending in '-'.
bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > kMaxName) return false;
  std::size_t start = 0;
  while (start <= host.size()) {
    const auto dot = std::min(host.find('.', start), host.size());
    const auto label = host.substr(start, dot - start);
    if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-')
      return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_';
        }))
      return false;
    start = dot + 1;
  }
  return true;
}

// HOST[:PORT] of a redis:// URL into `bus`.
bool read_host_and_port(std::string_view authority, BusEndpoint& bus, BusUrlError& error) {
  std::string_view host;
  std::string_view after;  // "" or ":PORT"
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      return refuse(error, "'[' opens an IPv6 address that no ']' closes");
    host = authority.substr(1, close - 1);
    in6_addr address{};
    if (::inet_pton(AF_INET6, std::string(host).c_str(), &address) != 1)
      return refuse(error, fmt::format("'{}' is not an IPv6 address", host));
    after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':'))
      return refuse(error, fmt::format("unexpected '{}' after the IPv6 address", after));
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) after = authority.substr(colon);
    if (after.find(':', 1) != std::string_view::npos)
      return refuse(error, "an IPv6 address goes in brackets: redis://[::1]:6379");
    if (host.empty()) return refuse(error, fmt::format("no host; {}", kForms));
    in_addr address{};
    if (is_ipv4_like(host) && ::inet_pton(AF_INET, std::string(host).c_str(), &address) != 1)
      return refuse(error, fmt::format("'{}' is not an IPv4 address", host));
    if (!is_ipv4_like(host) && !is_host_name(host))
      return refuse(error, fmt::format("'{}' is not a host name, an IPv4 address or a bracketed "
                                       "IPv6 address",
                                       host));
  }
  bus.host = std::string(host);
  if (after.empty()) return true;
  const auto port = read_number(after.substr(1), 65535);
  if (!port || *port == 0)
    return refuse(error, fmt::format("port '{}' is not a number from 1 to 65535", after.substr(1)));
  bus.port = static_cast<std::uint16_t>(*port);
  return true;
}

std::optional<BusEndpoint> parse_tcp(std::string_view rest, BusUrlError& error) {
  BusEndpoint bus;
  bus.kind = BusEndpoint::Kind::tcp;
  const auto authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  if (!read_host_and_port(rest.substr(0, authority_end), bus, error)) return std::nullopt;
  const auto tail = rest.substr(authority_end);
  if (tail.empty()) return bus;
  if (!tail.starts_with('/')) return fail(error, fmt::format("unexpected '{}'; {}", tail, kForms));
  if (tail.size() == 1)
    return fail(error, "no database after '/': write a number from 0 to 15, or leave out the '/'");
  const auto db = read_db(tail.substr(1), error);
  if (!db) return std::nullopt;
  bus.db = *db;
  return bus;
}

std::optional<BusEndpoint> parse_unix(std::string_view rest, BusUrlError& error) {
  BusEndpoint bus;
  bus.kind = BusEndpoint::Kind::unix_socket;
  if (!rest.starts_with('/'))
    return fail(error,
                "redis+unix:// takes no host: write redis+unix:///PATH (three slashes "
                "before an absolute path)");
  const auto query = rest.find('?');
  const auto path = rest.substr(0, query);
  if (path.size() == 1 || path.ends_with('/'))
    return fail(error, "the path names a directory, not a socket");
  if (path.size() > kMaxSocketPath)
    return fail(error, fmt::format("the socket's path is longer than {} bytes", kMaxSocketPath));
  if (path.find('\0') != std::string_view::npos)
    return fail(error, "the socket's path holds a NUL byte");
  bus.path = std::string(path);
  if (query == std::string_view::npos) return bus;
  const auto parameter = rest.substr(query + 1);
  if (!parameter.starts_with("db="))
    return fail(error,
                fmt::format("unknown parameter '{}'; redis+unix:// takes only ?db=DB", parameter));
  const auto db = read_db(parameter.substr(3), error);
  if (!db) return std::nullopt;
  bus.db = *db;
  return bus;
}

}  // namespace

std::optional<BusEndpoint> parse_bus_url(std::string_view text, BusUrlError& error) {
  // First, before any reason that could quote the URL.
  if (may_hold_credentials(text))
    return fail(error,
                "a URL with a user or password part ('...@') is refused: a password never goes "
                "in the configuration; put it in a file and name that file with "
                "'bus_password_file'",
                true);
  std::optional<BusEndpoint> bus;
  if (text.starts_with(kTcpScheme))
    bus = parse_tcp(text.substr(kTcpScheme.size()), error);
  else if (text.starts_with(kUnixScheme))
    bus = parse_unix(text.substr(kUnixScheme.size()), error);
  else if (text.starts_with(kTlsScheme))
    return fail(error,
                "TLS to Redis is not supported; use redis:// on a trusted network, or "
                "redis+unix:// on the same machine");
  else
    return fail(error, fmt::format("not a Redis URL; {}", kForms));
  if (bus) bus->url = std::string(text);
  return bus;
}

}  // namespace netcook::config
