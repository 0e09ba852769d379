#include "sending.hpp"

#include "stamp.hpp"

#include <algorithm>

namespace netcook::chatload {

namespace {

// A sender stops writing while this much of its output is unsent (the
// server is not reading): the window would stop it anyway, this keeps a
// huge --window from turning into buffer bloat.
constexpr std::size_t kMaxUnsent = std::size_t{64} << 10;

} // namespace

Sending::Sending(Shared& shared, ClientSet& clients, LoadStats& stats) noexcept
    : shared_(shared), options_(shared.options), clients_(clients), stats_(stats),
      interval_(shared.options.saturate() ? Clock::duration{}
                                          : bench::from_seconds(shared.options.senders / shared.options.rate))
{
}

void Sending::start(const Timeline& timeline)
{
    timeline_ = timeline;
    if (options_.saturate())
        return;
    for (auto& c : clients_.clients())
        if (c.id < options_.senders)
            c.next_due = timeline.start + bench::from_seconds(c.id / options_.rate);
}

Clock::time_point Sending::send_due(Clock::time_point now, ClientEvents& events)
{
    auto wake_at = timeline_.end;
    for (auto& c : clients_.clients()) {
        if (c.id >= options_.senders || !c.open() || !c.in_room)
            continue;
        c.all_received = shared_.acks.advance(c.id, c.all_received, c.sent);
        const bool wrote = options_.saturate() ? send_window(c, now) : send_scheduled(c, now);
        if (!options_.saturate())
            wake_at = std::min(wake_at, c.next_due);
        if (wrote)
            clients_.flush(c, events);
    }
    return wake_at;
}

bool Sending::may_send(const Client& c) const noexcept
{
    return c.sent - c.all_received < options_.window && c.out_pending() < kMaxUnsent;
}

bool Sending::send_window(Client& c, Clock::time_point now)
{
    bool wrote = false;
    for (; may_send(c); wrote = true)
        send_line(c, now);
    return wrote;
}

/// Every line due by @p now goes out, late ones at once; a line due while
/// the window is full is skipped (the server does not keep up with --rate).
bool Sending::send_scheduled(Client& c, Clock::time_point now)
{
    bool wrote = false;
    for (; c.next_due <= now; c.next_due += interval_) {
        if (may_send(c)) {
            send_line(c, now);
            wrote = true;
        } else {
            ++stats_.skipped;
        }
    }
    return wrote;
}

void Sending::send_line(Client& c, Clock::time_point now)
{
    char line[kMaxStampLine];
    const auto length = format_stamp({c.id, c.sent, bench::to_ns(now.time_since_epoch())}, line);
    clients_.queue(c, {line, length});
    ++c.sent;
    ++stats_.sent;
    if (timeline_.measuring(now))
        ++stats_.window_sent;
}

void Sending::publish_totals() noexcept
{
    for (const auto& c : clients_.clients()) {
        if (c.id >= options_.senders)
            continue;
        shared_.final_sent[c.id].store(c.sent, std::memory_order_release);
        shared_.senders_done.fetch_add(1, std::memory_order_acq_rel);
    }
}

} // namespace netcook::chatload
