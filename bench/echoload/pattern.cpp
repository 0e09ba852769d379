#include "pattern.hpp"

#include <algorithm>
#include <cstring>

namespace netcook::bench {

namespace {

// splitmix64: a fixed, fast generator, so every run and every build sends
// the same bytes and a failure can be reproduced.
std::uint64_t splitmix64(std::uint64_t& state) noexcept
{
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

} // namespace

Pattern::Pattern() : table_(kPeriod + kTail)
{
    std::uint64_t state = 0x6e6574636f6f6b64ULL; // "netcookd"
    for (std::size_t i = 0; i < kPeriod; i += 8) {
        const std::uint64_t word = splitmix64(state);
        std::memcpy(table_.data() + i, &word, std::min<std::size_t>(8, kPeriod - i));
    }
    std::memcpy(table_.data() + kPeriod, table_.data(), kTail);
}

std::uint64_t Pattern::phase_for(std::uint64_t connection_id) const noexcept
{
    std::uint64_t state = connection_id;
    return splitmix64(state) % kPeriod;
}

std::span<const std::byte> Pattern::view(std::uint64_t offset, std::size_t max_length) const noexcept
{
    const auto position = static_cast<std::size_t>(offset % kPeriod);
    return {table_.data() + position, std::min(max_length, table_.size() - position)};
}

bool Pattern::matches(std::uint64_t offset, std::span<const std::byte> data) const noexcept
{
    while (!data.empty()) {
        const auto expected = view(offset, data.size());
        if (std::memcmp(expected.data(), data.data(), expected.size()) != 0)
            return false;
        offset += expected.size();
        data = data.subspan(expected.size());
    }
    return true;
}

std::size_t Pattern::first_difference(std::uint64_t offset, std::span<const std::byte> data) const noexcept
{
    for (std::size_t i = 0; i < data.size(); ++i)
        if (view(offset + i, 1)[0] != data[i])
            return i;
    return data.size();
}

} // namespace netcook::bench
