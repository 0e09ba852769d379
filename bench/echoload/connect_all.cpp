#include "connect_all.hpp"

#include "diagnostics.hpp"
#include "poller.hpp"

#include <algorithm>
#include <cstring>

namespace netcook::bench {

namespace {

constexpr unsigned kMaxPendingConnects = 64;
constexpr auto kBusyRetryDelay = std::chrono::milliseconds(1);
constexpr int kSweepIntervalMs = 50;

enum class SlotState { free, in_progress, busy };

struct RampSlot {
    SlotState state = SlotState::free;
    UniqueFd fd;                 // owned while in_progress
    Clock::time_point started{}; // first attempt; the timeout covers busy retries too
    Clock::time_point retry_at{};
};

class Ramp {
public:
    Ramp(const Target& target, unsigned count, Clock::duration timeout, WorkerStats& stats)
        : target_(target), count_(count), timeout_(timeout), stats_(stats),
          slots_(std::min(count, kMaxPendingConnects))
    {
        connected_.reserve(count);
    }

    std::vector<UniqueFd> run()
    {
        last_success_ = Clock::now();
        while (finished_ < count_) {
            const auto now = Clock::now();
            give_up_if_stuck(now);
            bool any_busy = false;
            for (std::size_t i = 0; i < slots_.size(); ++i) {
                tend(i, now);
                any_busy = any_busy || slots_[i].state == SlotState::busy;
            }
            if (finished_ == count_)
                break;
            for (const auto& event : poller_.wait(any_busy ? 1 : kSweepIntervalMs))
                on_ready(event.data.u64);
        }
        return std::move(connected_);
    }

private:
    void tend(std::size_t i, Clock::time_point now)
    {
        auto& slot = slots_[i];
        if (slot.state == SlotState::in_progress && now - slot.started > timeout_) {
            poller_.remove(slot.fd.get());
            fail(slot, ETIMEDOUT);
        }
        if (slot.state == SlotState::busy && now >= slot.retry_at)
            attempt(i, now);
        while (slot.state == SlotState::free && launched_ < count_) {
            ++launched_;
            slot.started = now;
            attempt(i, now);
        }
    }

    /// Each connect has its own timeout, but against a listener that drops
    /// every SYN that alone would take count / 64 timeouts. When nothing has
    /// connected for a whole timeout, the connects not yet started are
    /// counted as failed instead, so set-up stays bounded.
    void give_up_if_stuck(Clock::time_point now)
    {
        if (launched_ == count_ || now - last_success_ <= timeout_)
            return;
        const unsigned skipped = count_ - launched_;
        complain("no connect succeeded within the timeout; giving up on %u more", skipped);
        stats_.connect_failures += skipped;
        finished_ += skipped;
        launched_ = count_;
    }

    void attempt(std::size_t i, Clock::time_point now)
    {
        auto& slot = slots_[i];
        auto result = start_connect(target_);
        switch (result.status) {
        case ConnectStatus::connected:
            succeed(slot, std::move(result.fd));
            break;
        case ConnectStatus::in_progress:
            slot.fd = std::move(result.fd);
            slot.state = SlotState::in_progress;
            if (!poller_.add(slot.fd.get(), EPOLLOUT, i))
                fail(slot, errno);
            break;
        case ConnectStatus::busy:
            if (now - slot.started > timeout_) {
                fail(slot, ETIMEDOUT);
            } else {
                slot.state = SlotState::busy;
                slot.retry_at = now + kBusyRetryDelay;
            }
            break;
        case ConnectStatus::failed:
            fail(slot, result.error);
            break;
        }
    }

    void on_ready(std::uint64_t i)
    {
        auto& slot = slots_[i];
        if (slot.state != SlotState::in_progress)
            return;
        poller_.remove(slot.fd.get());
        if (const int error = connect_result(slot.fd.get()); error != 0)
            fail(slot, error);
        else
            succeed(slot, std::move(slot.fd));
    }

    void succeed(RampSlot& slot, UniqueFd fd)
    {
        connected_.push_back(std::move(fd));
        ++stats_.connected;
        last_success_ = Clock::now();
        slot.state = SlotState::free;
        ++finished_;
    }

    void fail(RampSlot& slot, int error)
    {
        complain("connect failed: %s", std::strerror(error));
        slot.fd.reset();
        slot.state = SlotState::free;
        ++stats_.connect_failures;
        ++finished_;
    }

    const Target& target_;
    const unsigned count_;
    const Clock::duration timeout_;
    WorkerStats& stats_;
    Poller poller_;
    std::vector<RampSlot> slots_;
    std::vector<UniqueFd> connected_;
    unsigned launched_ = 0;
    unsigned finished_ = 0;
    Clock::time_point last_success_{};
};

} // namespace

std::vector<UniqueFd> connect_all(const Target& target, unsigned count, Clock::duration timeout, WorkerStats& stats)
{
    return Ramp(target, count, timeout, stats).run();
}

} // namespace netcook::bench
