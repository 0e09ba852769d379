// stream: every connection writes continuously and reads back at the same
// time, with at most max_in_flight bytes sent but not yet echoed, so we
// measure the server's throughput rather than how much the socket buffers
// can swallow.

#include "connect_all.hpp"
#include "diagnostics.hpp"
#include "poller.hpp"
#include "worker.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>

namespace netcook::bench {

namespace {

constexpr int kSweepIntervalMs = 100;
constexpr std::size_t kReadBufferSize = std::size_t{256} << 10;
constexpr std::uint64_t kNoChunk = std::numeric_limits<std::uint64_t>::max();

struct StreamConnection {
    UniqueFd fd;                       // empty once the connection has failed
    std::uint64_t id = 0;
    std::uint64_t phase = 0;           // pattern offset of this connection's byte 0
    std::uint64_t sent = 0;
    std::uint64_t received = 0;        // echoed and checked
    std::uint64_t last_bad_chunk = kNoChunk; // a chunk counts as one mismatch however many bytes differ
    Clock::time_point last_progress{}; // for the stall timeout
    bool wants_output = false;
};

class StreamWorker {
public:
    explicit StreamWorker(const WorkerContext& context)
        : context_(context), chunk_(context.options.size), max_in_flight_(context.options.max_in_flight),
          check_every_(context.options.check_every),
          timeout_(from_seconds(context.options.timeout_s)), buffer_(kReadBufferSize)
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
        for (auto& c : connections_) {
            c.last_progress = now;
            if (c.fd.valid())
                fill(c);
        }
        auto next_sweep = now;
        while (live_ > 0 && (now = Clock::now()) < timeline_.end) {
            if (now >= next_sweep) {
                sweep(now);
                next_sweep = now + std::chrono::milliseconds(kSweepIntervalMs);
            }
            for (const auto& event : poller_.wait(ms_until(std::min(next_sweep, timeline_.end), now))) {
                auto& c = connections_[event.data.u64];
                if (c.fd.valid() && (event.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0)
                    drain(c);
                if (c.fd.valid())
                    fill(c); // reading freed window space, or EPOLLOUT said there is buffer room
            }
        }
        // A short run can end before any stall timeout fires; a server that
        // never echoed a byte must still fail the run.
        for (auto& c : connections_)
            if (c.fd.valid() && c.received == 0)
                fail(c, "nothing echoed during the whole run", 0);
        return stats_;
    }

private:
    /// Writes until the in-flight window is full or the socket would block.
    void fill(StreamConnection& c)
    {
        bool blocked = false;
        for (;;) {
            const std::size_t chunk_left = chunk_ - static_cast<std::size_t>(c.sent % chunk_);
            if (c.sent - c.received + chunk_left > max_in_flight_)
                break;
            if (c.sent == c.received)
                c.last_progress = Clock::now(); // the stall clock starts with the first byte in flight
            const auto bytes = context_.pattern.view(c.phase + c.sent, chunk_left);
            const auto n = ::send(c.fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno == EAGAIN) {
                blocked = true;
                break;
            }
            if (n < 0)
                return fail(c, "send", errno);
            c.sent += static_cast<std::uint64_t>(n);
        }
        // EPOLLOUT only while the kernel pushes back; with a full window it
        // would fire continuously (level-triggered) with nothing to do.
        if (blocked != c.wants_output) {
            c.wants_output = blocked;
            if (!poller_.modify(c.fd.get(), EPOLLIN | (blocked ? EPOLLOUT : 0u), index_of(c)))
                fail(c, "epoll_ctl", errno);
        }
    }

    void drain(StreamConnection& c)
    {
        if ((c.received / chunk_) % check_every_ != 0)
            return discard(c);
        const auto n = receive(c, buffer_.size(), 0);
        if (!n)
            return;

        std::span<const std::byte> data(buffer_.data(), *n);
        const bool excess = data.size() > c.sent - c.received;
        if (excess)
            data = data.first(static_cast<std::size_t>(c.sent - c.received));
        check(c, data);
        count(c, data.size());
        if (excess) {
            // The byte stream is out of step from here on; every later chunk
            // would mismatch too, so count it once and drop the connection.
            complain("connection %llu: echo longer than what was sent (%llu bytes)", ull(c.id), ull(c.sent));
            ++stats_.mismatches;
            close(c);
        }
    }

    /// Receives the rest of an unchecked chunk without copying it
    /// (MSG_TRUNC discards TCP data in the kernel): the load generator shares
    /// the CPUs with the server, and comparing every byte costs it more
    /// than the server spends echoing them.
    void discard(StreamConnection& c)
    {
        const std::size_t chunk_left = chunk_ - static_cast<std::size_t>(c.received % chunk_);
        const auto want = std::min<std::uint64_t>(chunk_left, c.sent - c.received);
        if (want == 0)
            return;
        if (const auto n = receive(c, static_cast<std::size_t>(want), MSG_TRUNC))
            count(c, *n);
    }

    /// One recv(2) of at most @p want bytes into buffer_; nothing when there
    /// was nothing to read, or the connection failed (and was counted).
    std::optional<std::size_t> receive(StreamConnection& c, std::size_t want, int flags)
    {
        const auto n = ::recv(c.fd.get(), buffer_.data(), want, flags);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return {};
        if (n < 0)
            fail(c, "recv", errno);
        else if (n == 0)
            fail(c, "server closed the connection", 0);
        else
            return static_cast<std::size_t>(n);
        return {};
    }

    /// @p bytes came back: progress for the stall timeout, and the count.
    void count(StreamConnection& c, std::size_t bytes)
    {
        const auto now = Clock::now();
        c.received += bytes;
        c.last_progress = now;
        if (timeline_.measuring(now))
            stats_.completed += bytes;
    }

    /// Compares chunk by chunk, so the count reads "chunks that came back wrong".
    void check(StreamConnection& c, std::span<const std::byte> data)
    {
        std::uint64_t position = c.received;
        while (!data.empty()) {
            const std::uint64_t chunk = position / chunk_;
            const auto piece = data.first(std::min<std::size_t>(
                data.size(), chunk_ - static_cast<std::size_t>(position % chunk_)));
            if (chunk != c.last_bad_chunk && !context_.pattern.matches(c.phase + position, piece)) {
                c.last_bad_chunk = chunk;
                ++stats_.mismatches;
                const auto at = context_.pattern.first_difference(c.phase + position, piece);
                complain("connection %llu: echoed byte %llu differs (expected 0x%02x, got 0x%02x)", ull(c.id),
                         ull(position + at), unsigned(context_.pattern.view(c.phase + position + at, 1)[0]),
                         unsigned(piece[at]));
            }
            position += piece.size();
            data = data.subspan(piece.size());
        }
    }

    void sweep(Clock::time_point now)
    {
        for (auto& c : connections_)
            if (c.fd.valid() && c.sent > c.received && now - c.last_progress > timeout_)
                fail(c, "echo stalled for longer than the timeout", 0);
    }

    void fail(StreamConnection& c, const char* what, int error)
    {
        complain("connection %llu: %s%s%s", ull(c.id), what, error != 0 ? ": " : "",
                 error != 0 ? std::strerror(error) : "");
        ++stats_.errors;
        close(c);
    }

    void close(StreamConnection& c)
    {
        c.fd.reset(); // closing also removes it from the epoll set
        --live_;
    }

    [[nodiscard]] std::uint64_t index_of(const StreamConnection& c) const noexcept
    {
        return static_cast<std::uint64_t>(&c - connections_.data());
    }

    static unsigned long long ull(std::uint64_t v) noexcept { return v; }

    const WorkerContext& context_;
    const std::size_t chunk_;
    const std::size_t max_in_flight_;
    const unsigned check_every_;
    const Clock::duration timeout_;
    std::vector<std::byte> buffer_;
    Poller poller_;
    std::vector<StreamConnection> connections_;
    std::size_t live_ = 0;
    Timeline timeline_{};
    WorkerStats stats_;
};

} // namespace

WorkerStats run_stream_worker(const WorkerContext& context)
{
    GateTicket ticket(context.gate);
    return StreamWorker(context).run(ticket);
}

} // namespace netcook::bench
