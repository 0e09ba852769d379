#pragma once

// The limit keys, valid both in `defaults:` and on each listener.

#include "config/config.hpp"
#include "config/section.hpp"

#include <array>
#include <string_view>

namespace netcook::config {

// The guards' keys (guards_reader.hpp) last.
inline constexpr std::array<std::string_view, 12> kLimitKeys{"max_connections",
                                                             "idle_timeout",
                                                             "read_timeout",
                                                             "shutdown_timeout",
                                                             "max_outbox",
                                                             "log_connections",
                                                             "allow",
                                                             "deny",
                                                             "max_connections_per_source",
                                                             "source_prefix_v6",
                                                             "connection_rate",
                                                             "proxy_protocol"};

// Overwrites the fields of `limits` whose keys `section` holds; invalid
// values are reported and leave the field as it was.
void read_limits(const Section& section, Limits& limits,
                 Diagnostics& diagnostics);

}  // namespace netcook::config
