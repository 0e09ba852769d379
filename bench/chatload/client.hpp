#pragma once

#include "echoload/clock.hpp"
#include "echoload/unique_fd.hpp"
#include "joining.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace netcook::chatload {

/// One chat client of a worker. Every client receives; the first -S also
/// send. The worker owns it and its socket.
struct Client {
    Client(unsigned client_id, Handshake handshake, unsigned senders)
        : id(client_id), joining(handshake), next(senders, 0)
    {
    }

    enum class Phase { idle, connecting, open, failed };

    unsigned id = 0;
    Phase phase = Phase::idle;
    bench::UniqueFd fd; // empty unless connecting or open
    Joining joining;
    std::string partial;        // the start of a line whose LF has not arrived
    std::string out;            // to write; out_done bytes of it already written
    std::size_t out_done = 0;
    bool wants_output = false;  // registered for EPOLLOUT
    std::vector<std::uint64_t> next; // per sender: the line expected next

    /// Lines [from, to) of a sender that were skipped when a later one
    /// arrived: lost, unless they still come (then out of order). Empty
    /// unless the server misbehaves, so a plain vector does.
    struct Missing {
        unsigned sender;
        std::uint64_t from;
        std::uint64_t to;
    };
    std::vector<Missing> missing;
    std::uint64_t delivered = 0;     // lines received for the first time
    std::vector<std::uint64_t> order; // the first of them, as room_order_key(): the room-order check
    bool was_connected = false;      // a failure after this is not a connect failure
    bool heard = false;              // the server sent something: it has accepted us
    bool in_room = false;            // counted as a member when sending started
    bool in_history = false;         // between "* history: N lines" and "* end of history"

    // Sender side (id < senders).
    std::uint64_t sent = 0;
    std::uint64_t all_received = 0;  // lines of ours every other member has
    bench::Clock::time_point next_due{};

    [[nodiscard]] bool open() const noexcept { return phase == Phase::open; }
    [[nodiscard]] bool member() const noexcept { return open() && joining.state() == Joining::State::joined; }
    [[nodiscard]] std::size_t out_pending() const noexcept { return out.size() - out_done; }
};

} // namespace netcook::chatload
