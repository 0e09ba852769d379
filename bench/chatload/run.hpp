#pragma once

#include "load_stats.hpp"
#include "options.hpp"
#include "room_order.hpp"

#include <cstdint>
#include <optional>

namespace netcook::chatload {

/// The merged figures of one run.
struct RunResult {
    LoadStats stats;
    std::optional<std::uint64_t> server_cpu_ns; // only with --server-pid
    // The measured window on the steady clock (CLOCK_MONOTONIC, ns), so a
    // script can cut its own CPU samples to exactly this window.
    std::uint64_t window_begin_ns = 0;
    std::uint64_t window_end_ns = 0;
    double join_s = 0; // connecting and joining every client took this long
    RoomOrderCheck room_order;
};

/// Runs the load described by @p options to completion: starts the workers,
/// lets them connect and join, then drives the warm-up, the measured window
/// and the drain, and samples the server's CPU at the window's edges.
/// Throws for set-up failures (bad --server-pid, fd limit, a worker that
/// could not start); the run itself reports problems as counts.
[[nodiscard]] RunResult run_load(const Options& options);

} // namespace netcook::chatload
