#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

namespace netcook::chatload {

/// For every sender, which of its lines every other member has received:
/// the sender's window (lines not yet received by all) is what it may still
/// send. Receivers on any thread count a line once each, in order; the
/// sender's thread moves its own "delivered to all" mark forward.
///
/// One ring of counters per sender, as long as the window: a slot is only
/// reused once its line was received by all, because the sender never has
/// more than a window of lines out.
class AckBoard {
public:
    AckBoard(unsigned senders, unsigned window);

    /// Members in the room; a line counts as delivered to all once members - 1
    /// receivers have counted it. Lowered when a member is lost, so a lost
    /// receiver does not stall every sender for the rest of the run.
    void set_members(unsigned members) noexcept { members_.store(members, std::memory_order_relaxed); }
    void lose_member() noexcept { members_.fetch_sub(1, std::memory_order_relaxed); }

    /// Receiver: line @p seq of @p sender arrived, next in order. True when
    /// this receiver was the last one the line was waiting for.
    bool count(unsigned sender, std::uint64_t seq) noexcept;

    /// Sender's thread: the first line not yet received by every other
    /// member, given the previous answer @p delivered and @p sent lines.
    [[nodiscard]] std::uint64_t advance(unsigned sender, std::uint64_t delivered, std::uint64_t sent) noexcept;

private:
    [[nodiscard]] std::atomic<std::uint32_t>& slot(unsigned sender, std::uint64_t seq) noexcept
    {
        return slots_[std::size_t{sender} * ring_ + (seq & (ring_ - 1))];
    }
    [[nodiscard]] std::uint32_t receivers() const noexcept
    {
        const unsigned members = members_.load(std::memory_order_relaxed);
        return members > 1 ? members - 1 : 1;
    }

    std::uint64_t ring_; // a power of two, at least the window
    std::vector<std::atomic<std::uint32_t>> slots_;
    std::atomic<unsigned> members_{0};
};

} // namespace netcook::chatload
