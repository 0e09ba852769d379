#include "room_order.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>

namespace netcook::chatload {

namespace {

[[nodiscard]] unsigned sender_of(std::uint64_t key) noexcept { return static_cast<unsigned>(key >> 44); }

/// @p lines without those sent by @p a or @p b.
[[nodiscard]] std::vector<std::uint64_t> without(const std::vector<std::uint64_t>& lines, unsigned a, unsigned b)
{
    std::vector<std::uint64_t> out;
    out.reserve(lines.size());
    std::copy_if(lines.begin(), lines.end(), std::back_inserter(out), [a, b](std::uint64_t key) {
        return sender_of(key) != a && sender_of(key) != b;
    });
    return out;
}

} // namespace

RoomOrderCheck check_room_order(const std::vector<ReceivedOrder>& orders)
{
    RoomOrderCheck check;
    std::vector<const ReceivedOrder*> references;
    for (const auto& order : orders) {
        if (order.client < 2)
            references.push_back(&order);
    }
    for (const auto& order : orders) {
        for (const auto* reference : references) {
            if (reference->client == order.client)
                continue;
            const auto mine = without(order.lines, order.client, reference->client);
            const auto theirs = without(reference->lines, order.client, reference->client);
            const auto n = std::min(mine.size(), theirs.size());
            check.compared += n;
            if (!std::equal(mine.begin(), mine.begin() + static_cast<std::ptrdiff_t>(n), theirs.begin())) {
                if (check.mismatched == 0) {
                    check.first_client = order.client;
                    check.first_reference = reference->client;
                }
                ++check.mismatched;
                break; // a client counts once
            }
        }
    }
    return check;
}

} // namespace netcook::chatload
