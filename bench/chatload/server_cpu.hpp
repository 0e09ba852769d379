#pragma once

#include <sys/types.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace netcook::chatload {

/// CPU time of the server processes, their threads and every process below
/// them, between mark_start() and mark_end().
///
/// Each sample reads /proc/PID/task/TID/schedstat (ns on a CPU) of every
/// thread of every process in the trees, plus each process's cutime+cstime
/// (children it has reaped, 10 ms resolution). A thread started during the
/// window counts from zero; one that ends during it, in a process that goes
/// on, is lost. A child reaped during the window counts whole (its CPU from
/// before the window too). Exact for servers whose threads and processes
/// live as long as the connections, which is the case for a chat run.
class ServerCpu {
public:
    /// Throws std::runtime_error if a process cannot be read (gone, not
    /// ours, or a kernel without CONFIG_SCHED_INFO).
    explicit ServerCpu(std::vector<pid_t> pids);

    void mark_start();
    void mark_end();
    [[nodiscard]] std::uint64_t consumed_ns() const noexcept;

private:
    struct Sample {
        std::unordered_map<pid_t, std::uint64_t> threads; // thread id -> ns on a CPU
        std::uint64_t reaped_ns = 0;                      // children already reaped
    };
    [[nodiscard]] Sample sample() const;

    std::vector<pid_t> pids_;
    Sample start_;
    Sample end_;
};

} // namespace netcook::chatload
