// connect: each slot repeatedly opens a connection, sends one message,
// reads the whole echo, closes. Measures the server's accept and set-up cost.

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
// After a failure the slot pauses briefly, so a dead server yields a count
// of failures rather than a CPU-bound spin of instant ECONNREFUSED.
constexpr auto kRetryDelay = std::chrono::milliseconds(1);

enum class SlotState { waiting, connecting, sending, receiving };

struct ConnectSlot {
    SlotState state = SlotState::waiting;
    UniqueFd fd;                 // owned in every state but waiting
    std::uint64_t id = 0;
    std::uint64_t phase = 0;
    std::size_t sent = 0;
    std::size_t received = 0;
    Clock::time_point started{}; // socket() call: the latency covers connect + echo
    Clock::time_point retry_at{};
    bool corrupt = false;
    bool completed_any = false; // this slot finished at least one connection
};

class ConnectWorker {
public:
    explicit ConnectWorker(const WorkerContext& context)
        : context_(context), size_(context.options.size), timeout_(from_seconds(context.options.timeout_s)),
          buffer_(std::max(size_, kMinReadBuffer)), slots_(context.connections),
          next_id_(context.first_connection_id)
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
                on_event(event.data.u64, event.events);
            if (earliest_retry_ <= Clock::now())
                retry_waiting();
        }
        // A short run can end before any timeout fires; a slot whose server
        // never completed a single connection must still fail the run.
        for (std::size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i].state != SlotState::waiting && !slots_[i].completed_any)
                fail(i, "no connection completed during the whole run", 0);
        return stats_;
    }

private:
    void open(std::size_t i, Clock::time_point now)
    {
        auto& slot = slots_[i];
        slot.id = next_id_;
        next_id_ += context_.options.threads; // keeps ids unique across workers
        slot.phase = context_.pattern.phase_for(slot.id);
        slot.sent = 0;
        slot.received = 0;
        slot.corrupt = false;
        slot.started = now;
        slot.state = SlotState::connecting; // a failure from here on is a connect failure
        auto attempt = start_connect(context_.target);
        switch (attempt.status) {
        case ConnectStatus::connected:
            slot.fd = std::move(attempt.fd);
            slot.state = SlotState::sending;
            if (!poller_.add(slot.fd.get(), EPOLLOUT, i))
                return fail(i, "epoll_ctl", errno);
            return send_message(i);
        case ConnectStatus::in_progress:
            slot.fd = std::move(attempt.fd);
            slot.state = SlotState::connecting;
            if (!poller_.add(slot.fd.get(), EPOLLOUT, i))
                return fail(i, "epoll_ctl", errno);
            return;
        case ConnectStatus::busy:
            return fail(i, "connect: listen backlog full", 0);
        case ConnectStatus::failed:
            return fail(i, "connect", attempt.error);
        }
    }

    void on_event(std::uint64_t i, std::uint32_t events)
    {
        auto& slot = slots_[i];
        switch (slot.state) {
        case SlotState::waiting:
            return;
        case SlotState::connecting:
            if (const int error = connect_result(slot.fd.get()); error != 0)
                return fail(i, "connect", error);
            slot.state = SlotState::sending;
            return send_message(i);
        case SlotState::sending:
            return send_message(i);
        case SlotState::receiving:
            if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0)
                receive(i);
            return;
        }
    }

    void send_message(std::size_t i)
    {
        auto& slot = slots_[i];
        while (slot.sent < size_) {
            const auto bytes = context_.pattern.view(slot.phase + slot.sent, size_ - slot.sent);
            const auto n = ::send(slot.fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno == EAGAIN)
                return; // EPOLLOUT is still registered
            if (n < 0)
                return fail(i, "send", errno);
            slot.sent += static_cast<std::size_t>(n);
        }
        slot.state = SlotState::receiving;
        if (!poller_.modify(slot.fd.get(), EPOLLIN, i))
            fail(i, "epoll_ctl", errno);
    }

    void receive(std::size_t i)
    {
        auto& slot = slots_[i];
        const auto n = ::recv(slot.fd.get(), buffer_.data(), buffer_.size(), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0)
            return fail(i, "recv", errno);
        if (n == 0)
            return fail(i, "server closed before the whole echo", 0);

        std::span<const std::byte> data(buffer_.data(), static_cast<std::size_t>(n));
        if (data.size() > size_ - slot.received) {
            complain("connection %llu: echo longer than the %zu bytes sent", ull(slot.id), size_);
            slot.corrupt = true;
            data = data.first(size_ - slot.received);
        }
        if (!slot.corrupt && !context_.pattern.matches(slot.phase + slot.received, data)) {
            slot.corrupt = true;
            const auto at = context_.pattern.first_difference(slot.phase + slot.received, data);
            complain("connection %llu: echoed byte %zu differs", ull(slot.id), slot.received + at);
        }
        slot.received += data.size();
        if (slot.received == size_)
            finish(i);
    }

    void finish(std::size_t i)
    {
        auto& slot = slots_[i];
        const auto now = Clock::now();
        if (timeline_.measuring(now)) {
            ++stats_.completed;
            stats_.latency.record(to_ns(now - slot.started));
        }
        if (slot.corrupt)
            ++stats_.mismatches;
        slot.completed_any = true;
        slot.fd.reset(); // closing also removes it from the epoll set
        if (now < timeline_.end)
            open(i, now);
    }

    void sweep(Clock::time_point now)
    {
        for (std::size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i].state != SlotState::waiting && now - slots_[i].started > timeout_)
                fail(i, "no complete echo within the timeout", 0);
    }

    void retry_waiting()
    {
        const auto now = Clock::now();
        earliest_retry_ = Clock::time_point::max();
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            auto& slot = slots_[i];
            if (slot.state != SlotState::waiting)
                continue;
            if (slot.retry_at <= now)
                open(i, now);
            else
                earliest_retry_ = std::min(earliest_retry_, slot.retry_at);
        }
    }

    void fail(std::size_t i, const char* what, int error)
    {
        auto& slot = slots_[i];
        complain("connection %llu: %s%s%s", ull(slot.id), what, error != 0 ? ": " : "",
                 error != 0 ? std::strerror(error) : "");
        if (slot.state == SlotState::connecting || slot.state == SlotState::waiting)
            ++stats_.connect_failures;
        else
            ++stats_.errors;
        slot.fd.reset();
        slot.state = SlotState::waiting;
        slot.retry_at = Clock::now() + kRetryDelay;
        earliest_retry_ = std::min(earliest_retry_, slot.retry_at);
    }

    static unsigned long long ull(std::uint64_t v) noexcept { return v; }

    const WorkerContext& context_;
    const std::size_t size_;
    const Clock::duration timeout_;
    std::vector<std::byte> buffer_;
    Poller poller_;
    std::vector<ConnectSlot> slots_;
    std::uint64_t next_id_;
    Clock::time_point earliest_retry_ = Clock::time_point::max();
    Timeline timeline_{};
    WorkerStats stats_;
};

} // namespace

WorkerStats run_connect_worker(const WorkerContext& context)
{
    GateTicket ticket(context.gate);
    return ConnectWorker(context).run(ticket);
}

} // namespace netcook::bench
