#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace netcook::bench {

unsigned Histogram::index_of(std::uint64_t value) noexcept
{
    if (value < std::uint64_t{2} * kHalf)
        return static_cast<unsigned>(value);
    const unsigned top_bit = 63u - static_cast<unsigned>(std::countl_zero(value));
    const unsigned shift = top_bit - (kSubBucketBits - 1);
    return shift * kHalf + static_cast<unsigned>(value >> shift); // value >> shift is in [64, 128)
}

std::uint64_t Histogram::midpoint_of(unsigned index) noexcept
{
    if (index < 2 * kHalf)
        return index;
    const unsigned shift = index / kHalf - 1;
    const std::uint64_t mantissa = index % kHalf + kHalf;
    return (mantissa << shift) + ((std::uint64_t{1} << shift) >> 1);
}

void Histogram::record(std::uint64_t value_ns) noexcept
{
    ++counts_[index_of(value_ns)];
    ++count_;
    max_ = std::max(max_, value_ns);
}

void Histogram::merge(const Histogram& other) noexcept
{
    for (unsigned i = 0; i < kBucketCount; ++i)
        counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
}

std::uint64_t Histogram::percentile(double percent) const noexcept
{
    if (count_ == 0)
        return 0;
    const double wanted = std::ceil(percent / 100.0 * static_cast<double>(count_));
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
    std::uint64_t seen = 0;
    for (unsigned i = 0; i < kBucketCount; ++i) {
        seen += counts_[i];
        if (seen >= rank)
            return std::min(midpoint_of(i), max_);
    }
    return max_;
}

} // namespace netcook::bench
