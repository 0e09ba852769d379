#pragma once

#include "echoload/histogram.hpp"
#include "room_order.hpp"

#include <cstdint>
#include <vector>

namespace netcook::chatload {

/// What one load thread counted. Loss and order count the whole run
/// (warm-up and drain included: a line lost during warm-up is just as lost);
/// rate and latency only what was received inside the measured window.
struct LoadStats {
    std::uint64_t connected = 0;
    std::uint64_t connect_failures = 0; // refused, failed or timed out
    std::uint64_t joined = 0;           // in the room when sending started
    std::uint64_t join_failures = 0;    // connected, but refused or not in the room in time
    std::uint64_t errors = 0;           // members lost while the load ran: closed, reset, I/O error
    std::uint64_t sent = 0;             // stamped lines written, warm-up included
    std::uint64_t window_sent = 0;      // written inside the measured window
    std::uint64_t skipped = 0;          // --rate: lines due while the sender's window was full
    std::uint64_t delivered = 0;        // lines received for the first time, in order or not
    std::uint64_t out_of_order = 0;     // received after a later line of the same sender
    std::uint64_t duplicates = 0;       // received again
    std::uint64_t unexpected = 0;       // own or unknown sender's lines, error replies, unknown lines
    std::uint64_t window_delivered = 0; // delivered inside the measured window
    std::uint64_t history = 0;          // lines replayed to a newcomer from before it joined: not checked
    bench::Histogram latency;           // send stamp to receipt, inside the window
    std::vector<ReceivedOrder> orders;  // each client's first lines, for check_room_order()

    void merge(const LoadStats& other) noexcept
    {
        connected += other.connected;
        connect_failures += other.connect_failures;
        joined += other.joined;
        join_failures += other.join_failures;
        errors += other.errors;
        sent += other.sent;
        window_sent += other.window_sent;
        skipped += other.skipped;
        delivered += other.delivered;
        out_of_order += other.out_of_order;
        duplicates += other.duplicates;
        unexpected += other.unexpected;
        window_delivered += other.window_delivered;
        history += other.history;
        latency.merge(other.latency);
        orders.insert(orders.end(), other.orders.begin(), other.orders.end());
    }
};

} // namespace netcook::chatload
