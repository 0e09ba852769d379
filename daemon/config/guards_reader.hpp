#pragma once

// The edge guards' keys (allow, deny, per-source limits, connection rate,
// PROXY sources): limits like the others, valid in `defaults:` and on each
// listener, each key inherited from `defaults:` on its own.

#include "config/config.hpp"
#include "config/section.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace netcook::config {

inline constexpr std::array<std::string_view, 6> kGuardKeys{
    "allow",           "deny",          "max_connections_per_source", "source_prefix_v6",
    "connection_rate", "proxy_protocol"};

// The most any count a guard or a rate takes: beyond it is no limit.
inline constexpr std::int64_t kMaxGuardCount = 1'000'000;

// Overwrites the fields of `guards` whose keys `section` holds; invalid values
// are reported and leave the field as it was.
void read_guards(const Section& section, Guards& guards, Diagnostics& diagnostics);

// A token bucket's `burst:` entry, 1 to kMaxGuardCount; nullopt after a
// report.
std::optional<std::uint32_t> read_burst(const Entry& entry, Diagnostics& diagnostics);

}  // namespace netcook::config
