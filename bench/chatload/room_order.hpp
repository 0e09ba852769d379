#pragma once

#include <cstdint>
#include <vector>

namespace netcook::chatload {

/// The first lines one client received, in the order it received them,
/// each as room_order_key(sender, seq).
struct ReceivedOrder {
    unsigned client = 0;
    std::vector<std::uint64_t> lines;
};

/// Lines per client kept for the room-order check: the first this many
/// received (warm-up included), 8 bytes each.
inline constexpr std::size_t kRoomOrderSample = 8192;

[[nodiscard]] inline std::uint64_t room_order_key(unsigned sender, std::uint64_t seq) noexcept
{
    return (static_cast<std::uint64_t>(sender) << 44) | (seq & ((std::uint64_t{1} << 44) - 1));
}

struct RoomOrderCheck {
    std::uint64_t compared = 0;   // lines compared with a reference client's, over all clients
    std::uint64_t mismatched = 0; // clients whose order differs from a reference client's
    unsigned first_client = 0;    // the first of them, for the explanation
    unsigned first_reference = 0;
};

/// Whether every client saw the room's lines in one order (one room served
/// by several servers must still have one). Each client's sample is compared
/// with the samples of clients 0 and 1 (with -a repeated, one on each of the
/// first two servers): leaving out the lines of the two compared clients
/// (neither receives its own), the shorter of the two sequences must be a
/// prefix of the other. Order per sender is checked elsewhere; this catches
/// two senders' lines interleaved differently for different receivers.
[[nodiscard]] RoomOrderCheck check_room_order(const std::vector<ReceivedOrder>& orders);

} // namespace netcook::chatload
