#pragma once

#include <sys/types.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace netcook::bench {

/// CPU time the server's threads spend during the measured window, from
/// /proc/PID/task/TID/schedstat (first field: nanoseconds on a CPU).
///
/// Sums per thread (end - start); a thread created during the window counts
/// from zero. A thread that exits during the window is lost, so servers that
/// spawn short-lived threads are under-reported.
class ServerCpu {
public:
    /// Throws std::runtime_error if a process has no readable schedstat
    /// (gone, not ours to read, or a kernel without CONFIG_SCHED_INFO).
    explicit ServerCpu(std::vector<pid_t> pids);

    void mark_start();
    void mark_end();
    [[nodiscard]] std::uint64_t consumed_ns() const noexcept;

private:
    using Sample = std::unordered_map<pid_t, std::uint64_t>; // thread id -> ns on CPU
    [[nodiscard]] Sample sample() const;

    std::vector<pid_t> pids_;
    Sample start_;
    Sample end_;
};

} // namespace netcook::bench
