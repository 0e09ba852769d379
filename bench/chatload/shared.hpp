#pragma once

#include "ack_board.hpp"
#include "echoload/clock.hpp"
#include "echoload/target.hpp"
#include "options.hpp"
#include "waker.hpp"

#include <atomic>
#include <cstdint>
#include <latch>
#include <limits>
#include <memory>
#include <vector>

namespace netcook::chatload {

using bench::Clock;

/// The phases every worker agrees on. Joining ends at join_deadline at the
/// latest; then sending runs from start to end, of which [measure_begin,
/// end) is measured; then the lines in flight have until drain_deadline at
/// most.
struct Timeline {
    Clock::time_point start;
    Clock::time_point measure_begin;
    Clock::time_point end;
    Clock::time_point drain_deadline;

    [[nodiscard]] bool measuring(Clock::time_point t) const noexcept { return t >= measure_begin && t < end; }
};

/// Who serves client (and sender) @p id: clients are dealt to threads in
/// turn, so senders are spread over all of them.
[[nodiscard]] inline unsigned thread_of(unsigned id, unsigned threads) noexcept { return id % threads; }

/// Everything the workers share. Written by the coordinator before the
/// threads start or before the gate opens; during the run only the atomics,
/// the ack board and the wakers are touched.
struct Shared {
    Shared(const Options& o, const std::vector<bench::Target>& t)
        : options(o), targets(t), acks(o.senders, o.window), final_sent(o.senders), ready(o.threads)
    {
        for (auto& count : final_sent)
            count.store(kUnknown, std::memory_order_relaxed);
        for (unsigned i = 0; i < o.threads; ++i)
            wakers.push_back(std::make_unique<Waker>());
    }

    static constexpr std::uint64_t kUnknown = std::numeric_limits<std::uint64_t>::max();

    const Options& options;
    const std::vector<bench::Target>& targets; // client id i connects to targets[i % size]
    Clock::time_point join_deadline{};
    AckBoard acks;
    std::vector<std::unique_ptr<Waker>> wakers;     // one per worker
    std::vector<std::atomic<std::uint64_t>> final_sent; // per sender, once it stopped
    std::atomic<unsigned> senders_done{0};
    std::atomic<unsigned> joined{0};                // members when sending starts

    // The start gate: workers count down ready once joined (or given up);
    // the coordinator fills timeline, then counts down go.
    std::latch ready;
    std::latch go{1};
    Timeline timeline{};
    // Counted down once the server's CPU was sampled at the window's end:
    // workers keep their connections open until then, or a server that ends
    // a thread or process per connection would take its CPU time with it.
    std::latch sampled{1};
};

} // namespace netcook::chatload
