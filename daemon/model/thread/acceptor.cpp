#include "model/thread/acceptor.hpp"

#include "metrics/cpu.hpp"
#include "model/thread/connection.hpp"
#include "model/thread_name.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <new>
#include <system_error>

#include <poll.h>

namespace netcook::model::thread {
namespace {

using Clock = AcceptGate::Clock;

int milliseconds_until(Clock::time_point when, Clock::time_point now) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(when - now).count();
  return static_cast<int>(std::clamp<decltype(left)>(left, 0, INT_MAX));
}

}  // namespace

void Acceptor::start() {
  thread_ = std::thread([this] { run(); });
}

void Acceptor::stop() noexcept {
  if (!thread_.joinable()) return;
  stop_.signal();
  thread_.join();
}

void Acceptor::run() noexcept {
  set_thread_name(worker_thread_name(shared_.settings.listener.name, 0));
  metrics::CpuMeter cpu(shared_.settings.metrics.here().cpu_nsec);
  for (;;) {
    const auto now = Clock::now();
    heartbeat_.beat(now);
    cpu.tick(now);
    const bool paused = now < shared_.gate.resume_at();
    std::array<pollfd, 2> fds{{
        {stop_.fd().get(), POLLIN, 0},
        {paused ? -1 : shared_.listen_fd.get(), POLLIN, 0},  // poll skips -1
    }};
    const auto wake_at = now + event::Heartbeat::interval();
    const int timeout =
        milliseconds_until(paused ? std::min(shared_.gate.resume_at(), wake_at) : wake_at, now);
    if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
      // Out of memory for poll's tables: wait out a heartbeat, then retry.
      ::poll(nullptr, 0, timeout);
      continue;
    }
    if (fds[0].revents != 0) return;
    if (fds[1].revents != 0) shared_.gate.accept_some(shared_.listen_fd, *this, Clock::now());
  }
}

int Acceptor::provision() noexcept {
  if (!shared_.hub.present() || spare_mailbox_) return 0;
  try {
    spare_mailbox_ = std::make_shared<Mailbox>(shared_.settings.limits.max_outbox);
    return 0;
  } catch (const std::system_error& e) {
    return e.code().value();
  } catch (const std::bad_alloc&) {
    return ENOMEM;
  }
}

// provision() made the Mailbox; a thread that cannot start takes it (and the
// connection) with it.
void Acceptor::admit(Admission& admission) {
  shared_.threads.spawn(
      std::make_unique<Connection>(shared_, admission, next_id_++, std::move(spare_mailbox_)));
}

}  // namespace netcook::model::thread
