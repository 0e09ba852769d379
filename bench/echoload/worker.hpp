#pragma once

#include "args.hpp"
#include "pattern.hpp"
#include "start_gate.hpp"
#include "target.hpp"
#include "worker_stats.hpp"

#include <cstdint>

namespace netcook::bench {

/// What a worker thread gets; everything referenced outlives the worker and
/// is only read (the gate is the one shared thing that is written).
struct WorkerContext {
    const Options& options;
    const Target& target;
    const Pattern& pattern;
    StartGate& gate;
    unsigned index = 0;            // 0 .. threads-1
    unsigned connections = 0;      // this worker's share of -c
    std::uint64_t first_connection_id = 0; // ids are unique across workers
};

/// Each mode's worker: sets up, arrives at the gate, runs until the timeline
/// ends. Throws only for set-up failures (e.g. no epoll).
[[nodiscard]] WorkerStats run_pingpong_worker(const WorkerContext& context);
[[nodiscard]] WorkerStats run_stream_worker(const WorkerContext& context);
[[nodiscard]] WorkerStats run_connect_worker(const WorkerContext& context);
[[nodiscard]] WorkerStats run_refused_worker(const WorkerContext& context);

} // namespace netcook::bench
