#pragma once

#include "args.hpp"
#include "worker_stats.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace netcook::bench {

/// The merged figures of one run.
struct RunResult {
    WorkerStats stats;
    std::optional<std::uint64_t> server_cpu_ns; // only with --server-pid
};

/// One human-readable line, e.g.
/// "pingpong conns=50 size=64 dur=5.00s msgs=812345 rate=162469/s ...".
[[nodiscard]] std::string format_line(const Options& options, const RunResult& result);

/// The same figures as one JSON object (raw numbers, explicit units in keys).
[[nodiscard]] std::string format_json(const Options& options, const RunResult& result);

/// 0 when clean, 1 when any mismatch, error or failed connect happened.
[[nodiscard]] int exit_status(const RunResult& result) noexcept;

} // namespace netcook::bench
