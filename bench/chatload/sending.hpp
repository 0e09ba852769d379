#pragma once

#include "client_set.hpp"
#include "load_stats.hpp"
#include "shared.hpp"

namespace netcook::chatload {

/// The sending side of one worker's senders (clients with id < -S): stamps
/// and writes lines on schedule (--rate) or whenever the sender's window
/// has room (--rate max), and publishes how many each sent once sending ends.
class Sending {
public:
    Sending(Shared& shared, ClientSet& clients, LoadStats& stats) noexcept;

    /// At the start gate: every sender's first line falls due, spread evenly
    /// over one interval so the senders do not all write at once.
    void start(const Timeline& timeline);

    /// Writes every line that is due and fits in its sender's window;
    /// returns when the next one falls due (at most the end of sending).
    [[nodiscard]] Clock::time_point send_due(Clock::time_point now, ClientEvents& events);

    /// After the end: each sender's final count, for every worker's drain.
    void publish_totals() noexcept;

private:
    [[nodiscard]] bool may_send(const Client& c) const noexcept;
    bool send_window(Client& c, Clock::time_point now);
    bool send_scheduled(Client& c, Clock::time_point now);
    void send_line(Client& c, Clock::time_point now);

    Shared& shared_;
    const Options& options_;
    ClientSet& clients_;
    LoadStats& stats_;
    const Clock::duration interval_; // --rate: between two lines of one sender
    Timeline timeline_{};
};

} // namespace netcook::chatload
