#include "metrics/cpu.hpp"

#include <ctime>

namespace netcook::metrics {

std::uint64_t thread_cpu_nsec() noexcept {
  timespec ts{};
  if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000U +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

CpuMeter::CpuMeter(Cell& cell, Since since) noexcept
    : cell_(cell),
      counted_(since == since_now ? thread_cpu_nsec() : 0), next_(Clock::now() + std::chrono::seconds(1)) {}

void CpuMeter::flush() noexcept {
  const std::uint64_t now = thread_cpu_nsec();
  if (now > counted_) add(cell_, now - counted_);
  counted_ = now;
}

}  // namespace netcook::metrics
