// pingpong: one message in flight per connection; the round trip of each
// message is a latency sample.

#include "connect_all.hpp"
#include "diagnostics.hpp"
#include "poller.hpp"
#include "worker.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace netcook::bench {

namespace {

constexpr int kSweepIntervalMs = 100;
constexpr std::size_t kMinReadBuffer = std::size_t{64} << 10; // one recv() takes what a socket usually holds

struct PingpongConnection {
    UniqueFd fd;                 // empty once the connection has failed
    std::uint64_t id = 0;
    std::uint64_t phase = 0;     // pattern offset of this connection's byte 0
    std::uint64_t message = 0;   // index of the message in flight
    std::size_t sent = 0;        // bytes of it written
    std::size_t received = 0;    // bytes of it echoed and checked
    Clock::time_point started{}; // first write of the message
    bool corrupt = false;
    bool wants_output = false;
};

class PingpongWorker {
public:
    explicit PingpongWorker(const WorkerContext& context)
        : context_(context), size_(context.options.size),
          timeout_(from_seconds(context.options.timeout_s)), buffer_(std::max(size_, kMinReadBuffer))
    {
    }

    WorkerStats run(GateTicket& ticket)
    {
        auto fds = connect_all(context_.target, context_.connections, timeout_, stats_);
        connections_.resize(fds.size());
        live_ = fds.size();
        for (std::size_t i = 0; i < fds.size(); ++i) {
            auto& c = connections_[i];
            c.fd = std::move(fds[i]);
            c.id = context_.first_connection_id + i;
            c.phase = context_.pattern.phase_for(c.id);
            if (!poller_.add(c.fd.get(), EPOLLIN, i))
                fail(c, "epoll_ctl", errno);
        }
        timeline_ = ticket.wait();

        auto now = Clock::now();
        for (auto& c : connections_)
            if (c.fd.valid())
                begin_message(c, now);
        auto next_sweep = now;
        while (live_ > 0 && (now = Clock::now()) < timeline_.end) {
            if (now >= next_sweep) {
                sweep(now);
                next_sweep = now + std::chrono::milliseconds(kSweepIntervalMs);
            }
            for (const auto& event : poller_.wait(ms_until(std::min(next_sweep, timeline_.end), now))) {
                auto& c = connections_[event.data.u64];
                if (c.fd.valid() && (event.events & EPOLLOUT) != 0)
                    flush(c);
                if (c.fd.valid() && (event.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0)
                    on_readable(c);
            }
        }
        // A short run can end before any timeout fires; a server that never
        // answered at all must still fail the run.
        for (auto& c : connections_)
            if (c.fd.valid() && c.message == 0)
                fail(c, "no complete echo during the whole run", 0);
        return stats_;
    }

private:
    void begin_message(PingpongConnection& c, Clock::time_point now)
    {
        c.sent = 0;
        c.received = 0;
        c.corrupt = false;
        c.started = now;
        flush(c);
    }

    [[nodiscard]] std::uint64_t message_offset(const PingpongConnection& c) const noexcept
    {
        return c.phase + c.message * size_;
    }

    void flush(PingpongConnection& c)
    {
        while (c.sent < size_) {
            const auto bytes = context_.pattern.view(message_offset(c) + c.sent, size_ - c.sent);
            const auto n = ::send(c.fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno == EAGAIN)
                break;
            if (n < 0)
                return fail(c, "send", errno);
            c.sent += static_cast<std::size_t>(n);
        }
        const bool wants_output = c.sent < size_;
        if (wants_output != c.wants_output) {
            c.wants_output = wants_output;
            if (!poller_.modify(c.fd.get(), EPOLLIN | (wants_output ? EPOLLOUT : 0u), index_of(c)))
                fail(c, "epoll_ctl", errno);
        }
    }

    void on_readable(PingpongConnection& c)
    {
        const auto n = ::recv(c.fd.get(), buffer_.data(), buffer_.size(), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0)
            return fail(c, "recv", errno);
        if (n == 0)
            return fail(c, "server closed the connection", 0);

        std::span<const std::byte> data(buffer_.data(), static_cast<std::size_t>(n));
        if (data.size() > c.sent - c.received) {
            // Bytes we never sent (or sent only after this echo ends).
            complain("connection %llu: %zu bytes echoed beyond the %zu sent", ull(c.id),
                     data.size() - (c.sent - c.received), c.sent);
            c.corrupt = true;
            data = data.first(c.sent - c.received);
        }
        check(c, data);
        c.received += data.size();
        if (c.received == size_)
            finish_message(c);
    }

    void check(PingpongConnection& c, std::span<const std::byte> data)
    {
        const auto offset = message_offset(c) + c.received;
        if (c.corrupt || context_.pattern.matches(offset, data))
            return;
        c.corrupt = true;
        const auto at = context_.pattern.first_difference(offset, data);
        complain("connection %llu: message %llu differs at byte %zu (expected 0x%02x, got 0x%02x)", ull(c.id),
                 ull(c.message), c.received + at, unsigned(context_.pattern.view(offset + at, 1)[0]),
                 unsigned(data[at]));
    }

    void finish_message(PingpongConnection& c)
    {
        const auto now = Clock::now();
        if (timeline_.measuring(now)) {
            ++stats_.completed;
            stats_.latency.record(to_ns(now - c.started));
        }
        if (c.corrupt)
            ++stats_.mismatches;
        ++c.message;
        if (now < timeline_.end)
            begin_message(c, now);
    }

    void sweep(Clock::time_point now)
    {
        for (auto& c : connections_)
            if (c.fd.valid() && now - c.started > timeout_)
                fail(c, "no complete echo within the timeout", 0);
    }

    void fail(PingpongConnection& c, const char* what, int error)
    {
        complain("connection %llu: %s%s%s", ull(c.id), what, error != 0 ? ": " : "",
                 error != 0 ? std::strerror(error) : "");
        ++stats_.errors;
        c.fd.reset(); // closing also removes it from the epoll set
        --live_;
    }

    [[nodiscard]] std::uint64_t index_of(const PingpongConnection& c) const noexcept
    {
        return static_cast<std::uint64_t>(&c - connections_.data());
    }

    static unsigned long long ull(std::uint64_t v) noexcept { return v; }

    const WorkerContext& context_;
    const std::size_t size_;
    const Clock::duration timeout_;
    std::vector<std::byte> buffer_;
    Poller poller_;
    std::vector<PingpongConnection> connections_;
    std::size_t live_ = 0;
    Timeline timeline_{};
    WorkerStats stats_;
};

} // namespace

WorkerStats run_pingpong_worker(const WorkerContext& context)
{
    GateTicket ticket(context.gate);
    return PingpongWorker(context).run(ticket);
}

} // namespace netcook::bench
