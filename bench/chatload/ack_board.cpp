#include "ack_board.hpp"

#include <bit>

namespace netcook::chatload {

AckBoard::AckBoard(unsigned senders, unsigned window)
    : ring_(std::bit_ceil(std::uint64_t{window})), slots_(std::size_t{senders} * ring_)
{
}

bool AckBoard::count(unsigned sender, std::uint64_t seq) noexcept
{
    return slot(sender, seq).fetch_add(1, std::memory_order_acq_rel) + 1 == receivers();
}

std::uint64_t AckBoard::advance(unsigned sender, std::uint64_t delivered, std::uint64_t sent) noexcept
{
    while (delivered < sent) {
        auto& counter = slot(sender, delivered);
        if (counter.load(std::memory_order_acquire) < receivers())
            break;
        // Nobody counts this line again: every receiver has, and the slot's
        // next line is only sent after this store.
        counter.store(0, std::memory_order_release);
        ++delivered;
    }
    return delivered;
}

} // namespace netcook::chatload
