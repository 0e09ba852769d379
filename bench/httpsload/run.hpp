#pragma once

#include "echoload/histogram.hpp"
#include "httpsload/options.hpp"

#include <cstdint>
#include <string>

namespace netcook::bench::https {

/// Every client's figures, summed.
struct Result {
    std::uint64_t completed = 0;   // served in the window
    std::uint64_t opened = 0;      // connections tried over the whole run
    std::uint64_t connect_failures = 0;
    std::uint64_t handshake_failures = 0;
    std::uint64_t io_errors = 0;    // after the handshake: a write or read failed or timed out
    std::uint64_t bad_responses = 0;
    std::uint64_t resumed = 0;      // must stay 0: a session was never offered
    std::uint64_t tickets = 0;      // sent by the server on connections in the window
    Histogram latency;              // socket() to the server's close, window only
    Histogram handshake;            // socket() to SSL_connect's return, window only
    std::string version, cipher, group; // what the first served connection negotiated
    std::int64_t window_begin_ns = 0;   // CLOCK_MONOTONIC
    std::int64_t window_end_ns = 0;
    double duration_s = 0;

    [[nodiscard]] std::uint64_t failures() const noexcept
    {
        return connect_failures + handshake_failures + io_errors + bad_responses;
    }
};

/// Runs the clients for warmup + duration; throws on a set-up failure.
[[nodiscard]] Result run_load(const Options& options);

[[nodiscard]] int exit_status(const Result& result) noexcept;

} // namespace netcook::bench::https
