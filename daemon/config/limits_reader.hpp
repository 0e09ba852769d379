#pragma once

// The limit keys, valid both in `defaults:` and on each listener.

#include "config/config.hpp"
#include "config/section.hpp"

#include <array>
#include <string_view>

namespace netcook::config {

inline constexpr std::array<std::string_view, 6> kLimitKeys{
    "max_connections", "idle_timeout", "read_timeout", "shutdown_timeout",
    "max_outbox",      "log_connections"};

// Overwrites the fields of `limits` whose keys `section` holds; invalid
// values are reported and leave the field as it was.
void read_limits(const Section& section, Limits& limits,
                 Diagnostics& diagnostics);

}  // namespace netcook::config
