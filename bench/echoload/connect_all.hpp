#pragma once

#include "clock.hpp"
#include "target.hpp"
#include "unique_fd.hpp"
#include "worker_stats.hpp"

#include <vector>

namespace netcook::bench {

/// Opens @p count connections before the run starts, keeping only a few
/// dozen connects in flight at once (a ramp) so a small listen backlog is
/// not overrun into SYN retransmits. Each connection gets @p timeout.
///
/// Returns the connected, non-blocking sockets, registered with no poller;
/// the caller owns them. Failures are counted in stats.connect_failures.
[[nodiscard]] std::vector<UniqueFd> connect_all(const Target& target, unsigned count, Clock::duration timeout,
                                                WorkerStats& stats);

} // namespace netcook::bench
