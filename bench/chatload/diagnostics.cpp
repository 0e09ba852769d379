#include "diagnostics.hpp"

#include <atomic>
#include <cstdarg>
#include <cstdio>

namespace netcook::chatload {

namespace {

constexpr int kMaxComplaints = 20;
std::atomic<int> complaints{0};

} // namespace

void complain(const char* format, ...) noexcept
{
    const int number = complaints.fetch_add(1, std::memory_order_relaxed);
    if (number > kMaxComplaints)
        return;
    if (number == kMaxComplaints) {
        std::fputs("netcook-chatload: further problems not shown\n", stderr);
        return;
    }
    char line[512];
    va_list args;
    va_start(args, format);
    // clang-analyzer wrongly reports args as uninitialised here; va_start is above.
    std::vsnprintf(line, sizeof(line), format, args); // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(args);
    std::fprintf(stderr, "netcook-chatload: %s\n", line); // one call, so lines never interleave
}

} // namespace netcook::chatload
