#include "flood.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <system_error>
#include <vector>

namespace netcook::test {
namespace {

constexpr Timeout kSampleEvery{100};

// Sends until the socket is full (the flood goes on), the limit is reached
// or a send fails (the flood has ended: `end` says how).
void send_some(Flood& flood, std::uint64_t limit) {
  while (flood.sent < limit) {
    const ssize_t n = ::send(flood.client->fd(), flood.chunk.data(), flood.chunk.size(),
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      flood.sent += static_cast<std::uint64_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    } else if (errno != EINTR) {
      flood.error = errno;
      flood.end = FloodEnd::cut_off;
      return;
    }
  }
  flood.end = FloodEnd::complete;
}

}  // namespace

const char* to_string(FloodEnd end) {
  switch (end) {
    case FloodEnd::running:
      return "running";
    case FloodEnd::stalled:
      return "stalled";
    case FloodEnd::cut_off:
      return "cut off";
    case FloodEnd::complete:
      return "complete";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& out, FloodEnd end) {
  return out << to_string(end);
}

void run_floods(std::vector<Flood>& floods, std::uint64_t limit, Timeout stall,
                const Deadline& deadline, const std::function<void()>& sample) {
  std::vector<Clock::time_point> progress(floods.size(), Clock::now());
  std::vector<pollfd> polled;
  std::vector<std::size_t> which;
  auto next_sample = Clock::now();
  while (!deadline.expired()) {
    const auto now = Clock::now();
    if (sample && now >= next_sample) {
      sample();
      next_sample = now + kSampleEvery;
    }
    polled.clear();
    which.clear();
    for (std::size_t i = 0; i < floods.size(); ++i) {
      if (floods[i].end != FloodEnd::running) continue;
      if (now - progress[i] >= stall) {
        floods[i].end = FloodEnd::stalled;
        continue;
      }
      polled.push_back({floods[i].client->fd(), POLLOUT, 0});
      which.push_back(i);
    }
    if (polled.empty()) return;
    const int wait = static_cast<int>(std::min(kSampleEvery, deadline.remaining()).count());
    if (::poll(polled.data(), polled.size(), wait) < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "poll");
    for (std::size_t j = 0; j < polled.size(); ++j) {
      if (polled[j].revents == 0) continue;
      auto& flood = floods[which[j]];
      const auto before = flood.sent;
      send_some(flood, limit);
      if (flood.sent != before) progress[which[j]] = Clock::now();
    }
  }
}

}  // namespace netcook::test
