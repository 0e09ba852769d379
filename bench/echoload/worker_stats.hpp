#pragma once

#include "histogram.hpp"

#include <cstdint>

namespace netcook::bench {

/// What one worker observed. Throughput and latency only count inside the
/// measured window; mismatches and errors count over the whole run, because
/// a wrong echo during warm-up is just as wrong.
struct WorkerStats {
    std::uint64_t completed = 0;        // messages, echoed bytes or connections in the window
    Histogram latency;                  // pingpong: per message; connect: per connection
    std::uint64_t mismatches = 0;       // messages/chunks whose echo differed from what was sent
    std::uint64_t errors = 0;           // resets, early closes, I/O errors, timeouts
    std::uint64_t connect_failures = 0; // connects refused, failed or timed out
    std::uint64_t connected = 0;        // pingpong/stream: connections set up front
    std::uint64_t refusals_with_bytes = 0; // refused: ended by the server after a message, in the window
    std::uint64_t resets = 0;           // refused: ended by a reset rather than a FIN, in the window

    void merge(const WorkerStats& other) noexcept
    {
        completed += other.completed;
        latency.merge(other.latency);
        mismatches += other.mismatches;
        errors += other.errors;
        connect_failures += other.connect_failures;
        connected += other.connected;
        refusals_with_bytes += other.refusals_with_bytes;
        resets += other.resets;
    }
};

} // namespace netcook::bench
