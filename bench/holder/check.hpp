#pragma once

#include "echoload/unique_fd.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace netcook::bench {

struct Liveness {
    std::size_t sampled = 0;
    std::size_t live = 0;    // sampled connections whose echo came back intact
    std::size_t dropped = 0; // connections of all the server has closed or reset
};

/// Sends a small distinct message on @p sample connections chosen at
/// random (seeded by @p seed, so runs repeat) and waits, one at a time, at
/// most @p timeout_ms for its whole echo; then polls every connection once,
/// without waiting, for a hangup or reset.
[[nodiscard]] Liveness check(const std::vector<UniqueFd>& connections, std::size_t sample,
                             std::uint32_t seed, int timeout_ms);

} // namespace netcook::bench
