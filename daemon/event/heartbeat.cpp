#include "event/heartbeat.hpp"

#include <thread>

namespace netcook::event {
namespace {

std::atomic<Clock::rep> g_interval{
    std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)).count()};

}  // namespace

void Heartbeat::beat(Clock::time_point now) noexcept {
  if (stall_.load(std::memory_order_relaxed) != 0) [[unlikely]] {
    const Clock::duration length(stall_.exchange(0, std::memory_order_relaxed));
    std::this_thread::sleep_for(length);
    now = Clock::now();
  }
  last_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
}

Clock::duration Heartbeat::interval() noexcept {
  return Clock::duration(g_interval.load(std::memory_order_relaxed));
}

void Heartbeat::set_interval(Clock::duration interval) noexcept {
  g_interval.store(interval.count(), std::memory_order_relaxed);
}

}  // namespace netcook::event
