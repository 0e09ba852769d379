#pragma once

// chat.bus as written in the configuration: the URL of the Redis server a
// room shared by several daemons lives on, parsed but not resolved (a host
// name is looked up when the link is made, never at load).
//
//   redis://HOST[:PORT][/DB]         HOST: a name, an IPv4 address or a
//                                    bracketed IPv6 address; PORT 1-65535
//                                    (6379); DB 0-15 (0)
//   redis+unix:///PATH[?db=DB]       PATH absolute
//
// A password never goes in the URL: one written there (`redis://:pw@host`)
// is refused, and the reason never repeats the URL (bus_password_file names
// a file that holds it).

#include "config/config.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace netcook::config {

struct BusUrlError {
  std::string reason;
  // The URL holds a user or password part: the reason is said without the
  // URL, which must not reach a message or a log.
  bool secret = false;
};

// On failure returns nullopt and sets `error`. `url` of the result is
// `text` as written.
std::optional<BusEndpoint> parse_bus_url(std::string_view text, BusUrlError& error);

}  // namespace netcook::config
