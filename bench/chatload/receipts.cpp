#include "receipts.hpp"

#include "diagnostics.hpp"

#include <algorithm>

namespace netcook::chatload {

namespace {

unsigned long long ull(std::uint64_t v) noexcept { return v; }

int shown(std::string_view line) noexcept { return static_cast<int>(std::min<std::size_t>(line.size(), 200)); }

} // namespace

void Receipts::on_line(Client& c, std::string_view line, Clock::time_point now)
{
    if (replayed(c, line))
        return;
    if (const auto stamp = find_stamp(line))
        on_stamp(c, *stamp, now);
    else
        on_notice(c, line);
}

/// netcookd replays a room's last lines to a newcomer right after its
/// welcome, between "* history: N lines" and "* end of history". They were
/// said before this client joined (a previous run's lines, whose stamps
/// would pass for this run's), so they are neither checked nor counted.
bool Receipts::replayed(Client& c, std::string_view line) noexcept
{
    if (c.in_history) {
        if (line == "* end of history")
            c.in_history = false;
        else
            ++stats_.history;
        return true;
    }
    if (line.starts_with("* history: ")) {
        c.in_history = true;
        return true;
    }
    return false;
}

void Receipts::on_stamp(Client& c, const Stamp& stamp, Clock::time_point now)
{
    if (stamp.sender >= options_.senders || stamp.sender == c.id) {
        ++stats_.unexpected;
        complain("client %u: line of %s sender %u", c.id, stamp.sender == c.id ? "its own" : "unknown",
                 stamp.sender);
        return;
    }
    auto& next = c.next[stamp.sender];
    if (stamp.seq < next) {
        late_line(c, stamp, now);
        return;
    }
    if (stamp.seq > next) {
        c.missing.push_back({stamp.sender, next, stamp.seq});
        complain("client %u: sender %u's line %llu arrived, expected %llu (a gap)", c.id, stamp.sender,
                 ull(stamp.seq), ull(next));
    } else if (shared_.acks.count(stamp.sender, stamp.seq)) {
        // The sender's window just moved; its worker may be waiting for that.
        const unsigned owner = thread_of(stamp.sender, options_.threads);
        if (owner != worker_)
            shared_.wakers[owner]->notify();
    }
    next = stamp.seq + 1;
    count_delivery(c, stamp, now);
}

/// A line older than the last one of its sender: one that a gap skipped
/// (out of order, but delivered) or one received before (a duplicate).
void Receipts::late_line(Client& c, const Stamp& stamp, Clock::time_point now)
{
    const auto gap = std::find_if(c.missing.begin(), c.missing.end(), [&](const Client::Missing& m) {
        return m.sender == stamp.sender && stamp.seq >= m.from && stamp.seq < m.to;
    });
    if (gap == c.missing.end()) {
        ++stats_.duplicates;
        complain("client %u: sender %u's line %llu again", c.id, stamp.sender, ull(stamp.seq));
        return;
    }
    ++stats_.out_of_order;
    complain("client %u: sender %u's line %llu after line %llu", c.id, stamp.sender, ull(stamp.seq),
             ull(c.next[stamp.sender] - 1));
    const Client::Missing after{stamp.sender, stamp.seq + 1, gap->to};
    gap->to = stamp.seq;
    if (gap->from == gap->to)
        c.missing.erase(gap);
    if (after.from < after.to)
        c.missing.push_back(after);
    count_delivery(c, stamp, now);
}

void Receipts::count_delivery(Client& c, const Stamp& stamp, Clock::time_point now)
{
    ++c.delivered;
    ++stats_.delivered;
    if (c.order.size() < kRoomOrderSample)
        c.order.push_back(room_order_key(stamp.sender, stamp.seq));
    if (timeline_.measuring(now)) {
        ++stats_.window_delivered;
        const auto received = bench::to_ns(now.time_since_epoch());
        stats_.latency.record(received > stamp.sent_ns ? received - stamp.sent_ns : 0);
    }
}

void Receipts::on_notice(Client& c, std::string_view line)
{
    (void)c.joining.on_line(line); // ncat's rosters keep the room count
    if (line.starts_with("* ") || line.starts_with("<announce> "))
        return;
    ++stats_.unexpected;
    complain("client %u: unexpected line: %.*s", c.id, shown(line), line.data());
}

} // namespace netcook::chatload
