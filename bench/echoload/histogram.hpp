#pragma once

#include <array>
#include <cstdint>

namespace netcook::bench {

/// Latency histogram with logarithmic buckets split into 64 linear
/// sub-buckets (the HDR histogram idea): any value from 1 ns to 2^64 ns is
/// kept with at most 1/64 relative error in a fixed 30 KiB array, so
/// recording never allocates and workers merge by adding counts.
class Histogram {
public:
    void record(std::uint64_t value_ns) noexcept;
    void merge(const Histogram& other) noexcept;

    [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
    [[nodiscard]] std::uint64_t max() const noexcept { return max_; }

    /// The value below which @p percent of the samples lie (bucket midpoint,
    /// never above the exact maximum); 0 when empty.
    [[nodiscard]] std::uint64_t percentile(double percent) const noexcept;

private:
    static constexpr unsigned kSubBucketBits = 7; // 2^7 exact values, then 64 per octave
    static constexpr unsigned kHalf = 1u << (kSubBucketBits - 1);
    static constexpr unsigned kBucketCount = (64 - kSubBucketBits + 1) * kHalf + kHalf;

    [[nodiscard]] static unsigned index_of(std::uint64_t value) noexcept;
    [[nodiscard]] static std::uint64_t midpoint_of(unsigned index) noexcept;

    std::array<std::uint64_t, kBucketCount> counts_{};
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
};

} // namespace netcook::bench
