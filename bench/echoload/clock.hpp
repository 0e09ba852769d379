#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace netcook::bench {

// Monotonic: wall-clock steps (NTP) must never show up as latency.
using Clock = std::chrono::steady_clock;

[[nodiscard]] inline std::uint64_t to_ns(Clock::duration d) noexcept
{
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

[[nodiscard]] inline Clock::duration from_seconds(double seconds) noexcept
{
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

/// Milliseconds to pass to epoll_wait() so it returns no later than
/// @p deadline; rounded up so we never spin on a 0 ms timeout just before it.
[[nodiscard]] inline int ms_until(Clock::time_point deadline, Clock::time_point now) noexcept
{
    if (deadline <= now)
        return 0;
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now).count();
    return static_cast<int>(std::min<long long>((us + 999) / 1000, 60'000));
}

/// The phases every worker agrees on: a warm-up that is not counted, then the
/// measured window [measure_begin, end). The run stops at end, always.
struct Timeline {
    Clock::time_point start;
    Clock::time_point measure_begin;
    Clock::time_point end;

    [[nodiscard]] bool measuring(Clock::time_point t) const noexcept { return t >= measure_begin && t < end; }
};

} // namespace netcook::bench
