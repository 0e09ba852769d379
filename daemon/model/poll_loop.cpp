#include "model/poll_loop.hpp"

#include "event/readiness.hpp"
#include "metrics/cpu.hpp"
#include "model/pump.hpp"

#include <algorithm>
#include <array>
#include <cerrno>

namespace netcook::model {
namespace {

constexpr std::size_t kMaxSides = 4;

// The wait until `deadline` for ppoll(2), rounded up to a millisecond so
// the loop never wakes just before it and goes round again for nothing;
// null for no deadline.
const timespec* until(Clock::time_point deadline, Clock::time_point now,
                      timespec& storage) noexcept {
  if (deadline == Clock::time_point::max()) return nullptr;
  const auto left = std::max<std::chrono::milliseconds::rep>(
      std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count(), 0);
  storage = {static_cast<time_t>(left / 1000), static_cast<long>(left % 1000) * 1'000'000};
  return &storage;
}

}  // namespace

void run_poll_loop(ConnectionCore& core, Transport& transport, std::span<SideChannel* const> sides,
                   std::span<char> scratch, std::size_t read_budget,
                   const sigset_t* wait_mask) noexcept {
  const std::size_t count = std::min(sides.size(), kMaxSides);
  event::Readiness ready;
  // The thread (or process) is the connection's alone: all its CPU is the
  // listener's, counted from its start.
  metrics::CpuMeter cpu(core.counters().cpu_nsec, metrics::CpuMeter::since_thread_start);
  auto now = Clock::now();
  core.open(now);
  while (!core.closed()) {
    cpu.tick(now);
    const Pumped pumped = pump(core, transport, ready, scratch, read_budget, now);
    if (pumped == Pumped::closed) return;
    std::array<pollfd, 1 + kMaxSides> fds{};
    auto wake_at = core.deadline();
    for (std::size_t i = 0; i < count; ++i) {
      fds[1 + i] = sides[i]->watch(core, now);
      wake_at = std::min(wake_at, sides[i]->deadline());
    }
    if (core.closed()) return;  // a side channel ended it
    // Nothing wanted of the socket (its reading held, say): leave it out,
    // or a hangup would be reported again at once, round after round.
    const SocketWait wait = awaited(core, transport);
    const short wanted =
        static_cast<short>((wait.readable ? POLLIN : 0) | (wait.writable ? POLLOUT : 0));
    fds[0] = {wanted != 0 ? transport.fd().get() : -1, wanted, 0};
    timespec storage{};
    const timespec* timeout = until(pumped == Pumped::more ? now : wake_at, now, storage);
    const int result = ::ppoll(fds.data(), 1 + count, timeout, wait_mask);
    now = Clock::now();
    if (result < 0 && errno != EINTR) {
      core.failed(errno);  // out of memory for poll's tables
      return;
    }
    if (result > 0) {
      if (fds[0].revents != 0) ready.note_poll(fds[0].revents);
      for (std::size_t i = 0; i < count; ++i)
        if (fds[1 + i].revents != 0) sides[i]->ready(fds[1 + i].revents, core, now);
    }
    if (now >= core.deadline()) {
      // An end decided by a side channel (the driver or the master ending
      // it) has no drain: its last words get what the socket takes now.
      flush_now(core, transport, now);
      core.expire(now);
    }
  }
}

}  // namespace netcook::model
