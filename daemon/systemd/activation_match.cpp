#include "systemd/activation_match.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <fmt/format.h>

namespace netcook::systemd {
namespace {

using Kind = net::Address::Kind;

// How well a socket bound to one address serves a listener configured on
// another; a better fit wins when a socket fits several listeners.
enum class Fit { none, every_address, exact };

bool is_every_address(const net::Address& address) {
  return address.kind == Kind::any || (address.kind == Kind::inet4 && address.host == "0.0.0.0") ||
         (address.kind == Kind::inet6 && address.host == "::");
}

// A dual-stack "[::]" (Kind::any) or "0.0.0.0": what systemd binds for
// ListenStream=PORT, with or without IPv6 (BindIPv6Only=, or a kernel
// without IPv6).
bool serves_every_address(const net::Address& bound) {
  return bound.kind == Kind::any || (bound.kind == Kind::inet4 && bound.host == "0.0.0.0");
}

Fit fit(const net::Address& wanted, const net::Address& bound) {
  if (wanted.kind == Kind::unix_path || bound.kind == Kind::unix_path)
    return wanted == bound ? Fit::exact : Fit::none;
  // A listening socket's port is never 0: a listener on port 0 ("any
  // port") takes a passed socket by name only.
  if (wanted.port != bound.port) return Fit::none;
  if (wanted == bound) return Fit::exact;
  return is_every_address(wanted) && serves_every_address(bound) ? Fit::every_address : Fit::none;
}

// Whether a socket taken by name is where the configuration says: the same
// place, or any port of it when the configuration asks for port 0.
bool where_configured(net::Address wanted, const net::Address& bound) {
  if (wanted.kind != Kind::unix_path && wanted.port == 0) wanted.port = bound.port;
  return fit(wanted, bound) != Fit::none;
}

class Matcher {
 public:
  Matcher(const std::vector<WantedListener>& listeners, const std::vector<PassedSocket>& passed)
      : listeners_(listeners),
        passed_(passed),
        taken_(passed.size(), false),
        in_error_(listeners.size(), false) {
    result_.socket_of.assign(listeners.size(), std::nullopt);
  }

  SocketMatching run() {
    for (std::size_t p = 0; p < passed_.size(); ++p) by_name(p);
    for (std::size_t p = 0; p < passed_.size(); ++p)
      if (!taken_[p]) by_address(p);
    for (std::size_t p = 0; p < passed_.size(); ++p)
      if (!taken_[p]) result_.unmatched.push_back(p);
    for (std::size_t l = 0; l < listeners_.size(); ++l)
      if (!result_.socket_of[l] && !in_error_[l]) check_own_bind(l);
    return std::move(result_);
  }

 private:
  void by_name(std::size_t p) {
    const PassedSocket& socket = passed_[p];
    if (!has_own_name(socket.name)) return;
    const auto it = std::find_if(listeners_.begin(), listeners_.end(),
                                 [&](const WantedListener& l) { return l.name == socket.name; });
    if (it == listeners_.end()) return;
    const auto l = static_cast<std::size_t>(it - listeners_.begin());
    if (!give(l, p)) return;
    if (!socket.address || !where_configured(it->address, *socket.address))
      result_.warnings.push_back(fmt::format(
          "listener {}: systemd passed {} by name; serving there, not on the configured {} "
          "(the socket unit's address wins)",
          it->name, describe(socket), it->address.to_string()));
  }

  void by_address(std::size_t p) {
    const PassedSocket& socket = passed_[p];
    if (!socket.address) return;
    Fit best = Fit::none;
    std::vector<std::size_t> candidates;
    for (std::size_t l = 0; l < listeners_.size(); ++l) {
      const Fit f = fit(listeners_[l].address, *socket.address);
      if (f == Fit::none || f < best) continue;
      if (f > best) candidates.clear();
      best = f;
      candidates.push_back(l);
    }
    if (candidates.empty()) return;
    if (candidates.size() == 1) {
      give(candidates.front(), p);
      return;
    }
    taken_[p] = true;  // reported here, not again as unmatched
    std::string names;
    for (const std::size_t l : candidates) {
      in_error_[l] = true;
      names += fmt::format("{}{}", names.empty() ? "" : ", ", listeners_[l].name);
    }
    result_.errors.push_back(fmt::format(
        "{} fits listeners {} equally well; give its socket unit FileDescriptorName= with the "
        "listener's name",
        describe(socket), names));
  }

  // Listener `l` takes passed socket `p`, unless it has one already.
  bool give(std::size_t l, std::size_t p) {
    taken_[p] = true;
    if (const auto& have = result_.socket_of[l]) {
      in_error_[l] = true;
      result_.errors.push_back(fmt::format(
          "listener {}: systemd passed two sockets for it, {} and {}; a listener serves one "
          "socket (one ListenStream= per socket unit, and a FileDescriptorName= per listener)",
          listeners_[l].name, describe(passed_[*have]), describe(passed_[p])));
      return false;
    }
    result_.socket_of[l] = p;
    return true;
  }

  // A listener without a passed socket binds its own: not where one of
  // systemd's sockets already listens.
  void check_own_bind(std::size_t l) {
    const WantedListener& listener = listeners_[l];
    for (std::size_t p = 0; p < passed_.size(); ++p) {
      const auto& bound = passed_[p].address;
      if (!bound || !listener.address.conflicts_with(*bound)) continue;
      const auto owner = std::find(result_.socket_of.begin(), result_.socket_of.end(), p);
      const std::string user =
          owner == result_.socket_of.end()
              ? std::string("no listener takes it")
              : fmt::format(
                    "listener {} takes it",
                    listeners_[static_cast<std::size_t>(owner - result_.socket_of.begin())].name);
      result_.errors.push_back(
          fmt::format("listener {}: cannot bind {}: systemd already listens there with {} ({})",
                      listener.name, listener.address.to_string(), describe(passed_[p]), user));
      return;
    }
  }

  const std::vector<WantedListener>& listeners_;
  const std::vector<PassedSocket>& passed_;
  std::vector<bool> taken_;     // per passed socket: given, or reported
  std::vector<bool> in_error_;  // per listener: already in an error
  SocketMatching result_;
};

std::optional<net::Address> inet6_address(const sockaddr_in6& in6, bool v6only) {
  const std::uint16_t port = ntohs(in6.sin6_port);
  char text[INET6_ADDRSTRLEN] = {};
  if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) {
    ::inet_ntop(AF_INET, in6.sin6_addr.s6_addr + 12, text, sizeof text);
    return net::Address{Kind::inet4, text, port};
  }
  if (!v6only && IN6_IS_ADDR_UNSPECIFIED(&in6.sin6_addr)) return net::Address{Kind::any, "*", port};
  ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
  return net::Address{Kind::inet6, text, port};
}

}  // namespace

std::string describe(const PassedSocket& socket) {
  return fmt::format("fd {} (name {}, {})", socket.fd, socket.name, socket.bound);
}

bool has_own_name(const std::string& fd_name) {
  return !fd_name.empty() && fd_name != "unknown" && fd_name != "stored" && fd_name != "connection";
}

SocketMatching match_sockets(const std::vector<WantedListener>& listeners,
                             const std::vector<PassedSocket>& passed) {
  return Matcher(listeners, passed).run();
}

std::optional<net::Address> matchable_address(const sockaddr* address, socklen_t length,
                                              bool v6only) {
  if (address == nullptr || length < sizeof(sa_family_t)) return std::nullopt;
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return net::Address{Kind::inet4, text, ntohs(in->sin_port)};
  }
  if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6))
    return inet6_address(*reinterpret_cast<const sockaddr_in6*>(address), v6only);
  if (address->sa_family == AF_UNIX) {
    const auto offset = offsetof(sockaddr_un, sun_path);
    const auto* un = reinterpret_cast<const sockaddr_un*>(address);
    if (length <= offset || un->sun_path[0] == '\0') return std::nullopt;  // unnamed, abstract
    const auto max = std::min<std::size_t>(length - offset, sizeof un->sun_path);
    return net::Address{Kind::unix_path, std::string(un->sun_path, ::strnlen(un->sun_path, max)),
                        0};
  }
  return std::nullopt;
}

}  // namespace netcook::systemd
