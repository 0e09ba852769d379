#include "run.hpp"

#include "diagnostics.hpp"
#include "echoload/fd_limit.hpp"
#include "server_cpu.hpp"
#include "shared.hpp"
#include "worker.hpp"

#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace netcook::chatload {

namespace {

// epoll instances, eventfds, stdio, /proc files and some slack.
constexpr unsigned long kSpareDescriptors = 64;
// The drain goes on while lines keep arriving, but not longer than this many
// times --drain: every run ends by itself.
constexpr int kDrainLimit = 10;

/// One load thread: what it counted, or why it could not.
struct WorkerSlot {
    LoadStats stats;
    std::exception_ptr failure;
    std::thread thread;
};

} // namespace

RunResult run_load(const Options& options)
{
    std::vector<bench::Target> targets;
    for (const auto& address : options.addresses)
        targets.push_back(bench::Target::parse(address));
    bench::raise_fd_limit(options.clients + 2 * options.threads + kSpareDescriptors);
    std::optional<ServerCpu> server_cpu;
    if (!options.server_pids.empty())
        server_cpu.emplace(options.server_pids);

    Shared shared(options, targets);
    const auto began = Clock::now();
    shared.join_deadline = began + bench::from_seconds(options.timeout_s);
    std::vector<WorkerSlot> workers(options.threads);
    for (unsigned i = 0; i < options.threads; ++i) {
        auto& slot = workers[i];
        slot.thread = std::thread([&shared, &slot, i] {
            try {
                slot.stats = run_worker(shared, i);
            } catch (...) {
                slot.failure = std::current_exception();
            }
        });
    }

    shared.ready.wait();
    shared.acks.set_members(shared.joined.load());
    auto& timeline = shared.timeline;
    timeline.start = Clock::now();
    timeline.measure_begin = timeline.start + bench::from_seconds(options.warmup_s);
    timeline.end = timeline.measure_begin + bench::from_seconds(options.duration_s);
    timeline.drain_deadline = timeline.end + kDrainLimit * bench::from_seconds(options.drain_s);
    shared.go.count_down(); // publishes the timeline: workers read it after go.wait()

    std::this_thread::sleep_until(timeline.measure_begin);
    if (server_cpu)
        server_cpu->mark_start();
    std::this_thread::sleep_until(timeline.end);
    if (server_cpu)
        server_cpu->mark_end();
    shared.sampled.count_down();

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
    result.room_order = check_room_order(result.stats.orders);
    if (result.room_order.mismatched > 0)
        complain("%llu clients received the room's lines in another order than client %u; the first: client %u",
                 static_cast<unsigned long long>(result.room_order.mismatched), result.room_order.first_reference,
                 result.room_order.first_client);
    if (server_cpu)
        result.server_cpu_ns = server_cpu->consumed_ns();
    result.window_begin_ns = bench::to_ns(timeline.measure_begin.time_since_epoch());
    result.window_end_ns = bench::to_ns(timeline.end.time_since_epoch());
    result.join_s = std::chrono::duration<double>(timeline.start - began).count();
    return result;
}

} // namespace netcook::chatload
