#pragma once

#include "echoload/target.hpp"
#include "echoload/unique_fd.hpp"

#include <netinet/in.h>

#include <chrono>
#include <cstddef>
#include <vector>

namespace netcook::bench {

/// What open_all() managed: the open connections (owned here) and how many
/// could not be opened, with the errno of the first failure.
struct Opened {
    std::vector<UniqueFd> connections;
    std::size_t failures = 0;
    int first_error = 0;
};

/// Opens @p count TCP connections to @p target, each bound to @p source
/// (port chosen at connect time, so one source address offers the whole
/// ephemeral range per destination) before it connects. At most 64
/// connects are in flight, so a small listen backlog is not overrun.
/// Connects still pending at @p deadline count as failures (ETIMEDOUT).
/// Never throws for a failed connection; throws std::system_error if epoll
/// itself fails.
[[nodiscard]] Opened open_all(const Target& target, const in_addr& source, std::size_t count,
                              std::chrono::steady_clock::time_point deadline);

} // namespace netcook::bench
