#pragma once

#include "clock.hpp"

#include <latch>

namespace netcook::bench {

/// Lets the coordinator start the clock only once every worker has set up
/// its connections, so the warm-up and the window are the same for all.
class StartGate {
public:
    explicit StartGate(unsigned workers) : ready_(workers) {}

    /// Coordinator: blocks until every worker has arrived (or given up).
    void wait_ready() noexcept { ready_.wait(); }

    /// Coordinator: publishes the timeline and releases the workers.
    void open(const Timeline& timeline) noexcept
    {
        timeline_ = timeline; // written before count_down, read after wait: ordered by the latch
        go_.count_down();
    }

    /// Worker: reports ready and waits for the timeline. Call at most once.
    [[nodiscard]] Timeline arrive_and_wait() noexcept
    {
        ready_.count_down();
        go_.wait();
        return timeline_;
    }

    /// Worker that failed before arriving: lets the coordinator go on.
    void abandon() noexcept { ready_.count_down(); }

private:
    std::latch ready_;
    std::latch go_{1};
    Timeline timeline_{};
};

/// A worker's one arrival at the gate; arrives on destruction if the worker
/// threw before it got there, so the coordinator never waits forever.
class GateTicket {
public:
    explicit GateTicket(StartGate& gate) noexcept : gate_(gate) {}
    GateTicket(const GateTicket&) = delete;
    GateTicket& operator=(const GateTicket&) = delete;
    ~GateTicket()
    {
        if (!used_)
            gate_.abandon();
    }

    [[nodiscard]] Timeline wait() noexcept
    {
        used_ = true;
        return gate_.arrive_and_wait();
    }

private:
    StartGate& gate_;
    bool used_ = false;
};

} // namespace netcook::bench
