#pragma once

#include "load_stats.hpp"
#include "shared.hpp"

namespace netcook::chatload {

/// One load thread: connects and joins its share of the clients (every
/// threads-th one, starting at @p index), waits at the start gate, sends and
/// receives until the timeline ends, then drains. Throws only for set-up
/// failures (no epoll); always counts down shared.ready exactly once.
[[nodiscard]] LoadStats run_worker(Shared& shared, unsigned index);

} // namespace netcook::chatload
