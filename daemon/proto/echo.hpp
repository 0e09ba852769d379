#pragma once

// Echo (RFC 862) as a sans-I/O session. Raw mode sends every byte back as it
// came. Line mode echoes each LF-terminated line with a prefix in front; a
// line longer than `max_line` goes back in pieces as it arrives (the prefix
// only before its first piece), so the output is exactly prefix + line for
// every line while no more than `max_line` bytes are ever held.

#include "proto/session.hpp"

#include <cstddef>
#include <string>

namespace netcook::proto {

struct EchoSettings {
  bool line_mode = false;
  std::string prefix;  // may hold {pid} {thread} {listener} {peer}
  std::size_t max_line = 64 * 1024;
};

// Replaces the placeholders in `prefix` with the connection's facts; any
// other text, braces included, is kept as written.
std::string expand_prefix(std::string_view prefix, const SessionContext& context);

std::unique_ptr<Session> make_echo_session(const EchoSettings& settings,
                                           const SessionContext& context);

}  // namespace netcook::proto
