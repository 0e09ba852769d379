// refused: each slot repeatedly opens a connection, sends nothing, waits
// for the server to end it, and closes. Measures what a server spends on a
// connection it refuses (netcookd's deny, per-source and rate guards close
// one right after accept). A connection still open after --timeout was
// served, not refused: an error.

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
constexpr std::size_t kReadBuffer = 4096; // a refusal message (HTTP 503, chat's line) fits
// After a failure the slot pauses briefly, so a dead server yields a count
// of failures rather than a CPU-bound spin of instant ECONNREFUSED.
constexpr auto kRetryDelay = std::chrono::milliseconds(1);

struct RefusedSlot {
    UniqueFd fd;                 // invalid while waiting to retry
    std::uint64_t id = 0;
    std::uint64_t bytes = 0;     // received before the end: a refusal message
    Clock::time_point started{}; // socket() call: the latency covers connect + refusal
    Clock::time_point retry_at{};
    bool refused_any = false;    // this slot saw at least one refusal
};

// The end of a connection the client never wrote to: a connect that never
// got through, or a server that hung up (FIN, or RST).
bool is_connect_error(int error) noexcept
{
    return error != ECONNRESET && error != EPIPE;
}

class RefusedWorker {
public:
    explicit RefusedWorker(const WorkerContext& context)
        : context_(context), timeout_(from_seconds(context.options.timeout_s)), buffer_(kReadBuffer),
          slots_(context.connections), next_id_(context.first_connection_id)
    {
    }

    WorkerStats run(GateTicket& ticket)
    {
        timeline_ = ticket.wait();
        auto now = Clock::now();
        for (std::size_t i = 0; i < slots_.size(); ++i)
            open(i, now);
        auto next_sweep = now;
        while ((now = Clock::now()) < timeline_.end) {
            if (now >= next_sweep) {
                sweep(now);
                next_sweep = now + std::chrono::milliseconds(kSweepIntervalMs);
            }
            const auto wake = std::min({next_sweep, timeline_.end, earliest_retry_});
            for (const auto& event : poller_.wait(ms_until(wake, now)))
                receive(event.data.u64);
            if (earliest_retry_ <= Clock::now())
                retry_waiting();
        }
        // A short run can end before any timeout fires; a slot whose server
        // never refused a single connection must still fail the run.
        for (std::size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i].fd.valid() && !slots_[i].refused_any)
                fail(i, "no connection refused during the whole run", 0, false);
        return stats_;
    }

private:
    void open(std::size_t i, Clock::time_point now)
    {
        auto& slot = slots_[i];
        slot.id = next_id_;
        next_id_ += context_.options.threads; // keeps ids unique across workers
        slot.bytes = 0;
        slot.started = now;
        auto attempt = start_connect(context_.target);
        if (attempt.status == ConnectStatus::busy)
            return fail(i, "connect: listen backlog full", 0, true);
        if (attempt.status == ConnectStatus::failed)
            return fail(i, "connect", attempt.error, true);
        slot.fd = std::move(attempt.fd);
        // EPOLLIN alone: the refusal (EOF or reset) also says the connect
        // went through, and a failed connect reports EPOLLERR anyway, so no
        // EPOLLOUT round and no epoll_ctl between connect and refusal.
        if (!poller_.add(slot.fd.get(), EPOLLIN | EPOLLRDHUP, i))
            return fail(i, "epoll_ctl", errno, true);
    }

    void receive(std::size_t i)
    {
        auto& slot = slots_[i];
        if (!slot.fd.valid())
            return;
        for (;;) {
            const auto n = ::recv(slot.fd.get(), buffer_.data(), buffer_.size(), 0);
            if (n > 0) {
                slot.bytes += static_cast<std::uint64_t>(n);
                continue;
            }
            if (n == 0)
                return refused(i, false);
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return;
            if (is_connect_error(errno))
                return fail(i, "connect", errno, true);
            return refused(i, true);
        }
    }

    void refused(std::size_t i, bool reset)
    {
        auto& slot = slots_[i];
        const auto now = Clock::now();
        if (timeline_.measuring(now)) {
            ++stats_.completed;
            stats_.latency.record(to_ns(now - slot.started));
            if (slot.bytes > 0)
                ++stats_.refusals_with_bytes;
            if (reset)
                ++stats_.resets;
        }
        slot.refused_any = true;
        close_abortively(slot.fd);
        if (now < timeline_.end)
            open(i, now);
    }

    // The server closed first, so its end would hold TIME_WAIT for a
    // minute; a reset from here ends both ends at once, and the next
    // connection does not wait for a port.
    static void close_abortively(UniqueFd& fd) noexcept
    {
        const linger abort{1, 0};
        ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
        fd.reset(); // closing also removes it from the epoll set
    }

    void sweep(Clock::time_point now)
    {
        for (std::size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i].fd.valid() && now - slots_[i].started > timeout_)
                fail(i, "not refused within the timeout (served?)", 0, false);
    }

    void retry_waiting()
    {
        const auto now = Clock::now();
        earliest_retry_ = Clock::time_point::max();
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            auto& slot = slots_[i];
            if (slot.fd.valid())
                continue;
            if (slot.retry_at <= now)
                open(i, now);
            else
                earliest_retry_ = std::min(earliest_retry_, slot.retry_at);
        }
    }

    void fail(std::size_t i, const char* what, int error, bool connecting)
    {
        auto& slot = slots_[i];
        complain("connection %llu: %s%s%s", ull(slot.id), what, error != 0 ? ": " : "",
                 error != 0 ? std::strerror(error) : "");
        if (connecting)
            ++stats_.connect_failures;
        else
            ++stats_.errors;
        if (slot.fd.valid())
            close_abortively(slot.fd);
        slot.retry_at = Clock::now() + kRetryDelay;
        earliest_retry_ = std::min(earliest_retry_, slot.retry_at);
    }

    static unsigned long long ull(std::uint64_t v) noexcept { return v; }

    const WorkerContext& context_;
    const Clock::duration timeout_;
    std::vector<std::byte> buffer_;
    Poller poller_;
    std::vector<RefusedSlot> slots_;
    std::uint64_t next_id_;
    Clock::time_point earliest_retry_ = Clock::time_point::max();
    Timeline timeline_{};
    WorkerStats stats_;
};

} // namespace

WorkerStats run_refused_worker(const WorkerContext& context)
{
    GateTicket ticket(context.gate);
    return RefusedWorker(context).run(ticket);
}

} // namespace netcook::bench
