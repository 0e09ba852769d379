#pragma once

#include "args.hpp"
#include "report.hpp"

namespace netcook::bench {

/// Runs the load described by @p options to completion: starts the
/// workers, lets them connect, then drives the warm-up and the measured
/// window and samples the server's CPU at the window's edges.
/// Throws for set-up failures (bad --server-pid, fd limit, a worker that
/// could not start); the run itself reports problems as counts.
[[nodiscard]] RunResult run_load(const Options& options);

} // namespace netcook::bench
