#include "run.hpp"

#include "fd_limit.hpp"
#include "server_cpu.hpp"
#include "worker.hpp"

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace netcook::bench {

namespace {

// epoll instances, stdio, /proc files and some slack.
constexpr unsigned long kSpareDescriptors = 64;

using WorkerFunction = WorkerStats (*)(const WorkerContext&);

WorkerFunction worker_for(Mode mode) noexcept
{
    switch (mode) {
    case Mode::pingpong: return run_pingpong_worker;
    case Mode::stream: return run_stream_worker;
    case Mode::connect: return run_connect_worker;
    case Mode::refused: return run_refused_worker;
    }
    return run_pingpong_worker;
}

/// One load thread: what it produced, or why it could not.
struct WorkerSlot {
    WorkerStats stats;
    std::exception_ptr failure;
    std::thread thread;
};

} // namespace

RunResult run_load(const Options& options)
{
    const auto target = Target::parse(options.address);
    raise_fd_limit(options.connections + options.threads + kSpareDescriptors);
    std::optional<ServerCpu> server_cpu;
    if (!options.server_pids.empty())
        server_cpu.emplace(options.server_pids);

    const Pattern pattern;
    StartGate gate(options.threads);
    std::vector<WorkerSlot> workers(options.threads);
    std::uint64_t first_id = 0;
    for (unsigned i = 0; i < options.threads; ++i) {
        // Spread -c evenly; the first (c mod threads) workers take one more.
        const unsigned share =
            options.connections / options.threads + (i < options.connections % options.threads ? 1 : 0);
        const WorkerContext context{options, target, pattern, gate, i, share,
                                    options.mode == Mode::connect || options.mode == Mode::refused ? i : first_id};
        first_id += share;
        auto& slot = workers[i];
        slot.thread = std::thread([context, &slot, function = worker_for(options.mode)] {
            try {
                slot.stats = function(context);
            } catch (...) {
                slot.failure = std::current_exception();
            }
        });
    }

    gate.wait_ready();
    const auto start = Clock::now();
    Timeline timeline{start, start + from_seconds(options.warmup_s), {}};
    timeline.end = timeline.measure_begin + from_seconds(options.duration_s);
    gate.open(timeline);
    std::this_thread::sleep_until(timeline.measure_begin);
    if (server_cpu)
        server_cpu->mark_start();
    std::this_thread::sleep_until(timeline.end);
    if (server_cpu)
        server_cpu->mark_end();

    RunResult result;
    for (auto& worker : workers)
        worker.thread.join();
    for (unsigned i = 0; i < options.threads; ++i) {
        if (workers[i].failure) {
            try {
                std::rethrow_exception(workers[i].failure);
            } catch (...) {
                std::throw_with_nested(std::runtime_error("load thread " + std::to_string(i) + " failed"));
            }
        }
        result.stats.merge(workers[i].stats);
    }
    if (server_cpu)
        result.server_cpu_ns = server_cpu->consumed_ns();
    return result;
}

} // namespace netcook::bench
