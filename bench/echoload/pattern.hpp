#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace netcook::bench {

/// The bytes every connection sends: one pseudo-random table with a prime
/// period, read from a per-connection starting phase. Byte k of connection c
/// is table[(phase(c) + k) mod period], so a lost, duplicated, reordered or
/// cross-connection byte shows up as a mismatch unless it happens to be
/// displaced by an exact multiple of ~4 MB (far more than is ever in flight).
/// Sending and checking are memcpy/memcmp against the table, which keeps the
/// client cheap next to the server it measures.
///
/// Immutable after construction: shared read-only by all worker threads.
class Pattern {
public:
    Pattern();

    /// Stream offset at which the connection with this id starts.
    [[nodiscard]] std::uint64_t phase_for(std::uint64_t connection_id) const noexcept;

    /// Up to @p max_length pattern bytes starting at @p offset, contiguous
    /// in memory; at least min(max_length, 64 KiB) bytes.
    [[nodiscard]] std::span<const std::byte> view(std::uint64_t offset, std::size_t max_length) const noexcept;

    [[nodiscard]] bool matches(std::uint64_t offset, std::span<const std::byte> data) const noexcept;

    /// Index of the first byte of @p data that differs; data.size() if none.
    [[nodiscard]] std::size_t first_difference(std::uint64_t offset, std::span<const std::byte> data) const noexcept;

private:
    static constexpr std::size_t kPeriod = 4'194'319; // prime, just above 4 MiB
    static constexpr std::size_t kTail = std::size_t{64} << 10;  // copy of the head, so views rarely wrap

    std::vector<std::byte> table_;
};

} // namespace netcook::bench
