#include "model/poll_loop.hpp"

#include "event/readiness.hpp"
#include "model/pump.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>

namespace netcook::model {
namespace {

constexpr std::size_t kMaxSides = 4;

// Milliseconds until `deadline`, rounded up so the loop never wakes just
// before it and goes round again for nothing.
int milliseconds_until(Clock::time_point deadline, Clock::time_point now) noexcept {
  if (deadline == Clock::time_point::max()) return -1;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
  return static_cast<int>(std::clamp<decltype(left)>(left, 0, INT_MAX));
}

}  // namespace

void run_poll_loop(ConnectionCore& core, net::Fd socket, std::span<SideChannel* const> sides,
                   std::span<char> scratch, std::size_t read_budget) noexcept {
  const std::size_t count = std::min(sides.size(), kMaxSides);
  event::Readiness ready;
  auto now = Clock::now();
  core.open(now);
  while (!core.closed()) {
    const Pumped pumped = pump(core, socket, ready, scratch, read_budget, now);
    if (pumped == Pumped::closed) return;
    std::array<pollfd, 1 + kMaxSides> fds{};
    for (std::size_t i = 0; i < count; ++i) fds[1 + i] = sides[i]->watch(core);
    // Nothing wanted of the socket (its reading held, say): leave it out,
    // or a hangup would be reported again at once, round after round.
    const short wanted =
        static_cast<short>((core.wants_read() ? POLLIN : 0) | (core.wants_write() ? POLLOUT : 0));
    fds[0] = {wanted != 0 ? socket.get() : -1, wanted, 0};
    const int timeout = pumped == Pumped::more ? 0 : milliseconds_until(core.deadline(), now);
    const int result = ::poll(fds.data(), 1 + count, timeout);
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
    if (now >= core.deadline()) core.expire(now);
  }
}

}  // namespace netcook::model
