#include "model/thread/acceptor.hpp"

#include "model/thread/connection.hpp"
#include "model/thread_name.hpp"
#include "net/socket.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <new>
#include <system_error>

#include <poll.h>
#include <sys/socket.h>

namespace netcook::model::thread {
namespace {

// Connections accepted per wake-up before the stop eventfd is looked at.
constexpr int kAcceptBatch = 64;
constexpr auto kBackoffFirst = std::chrono::milliseconds(50);
constexpr auto kBackoffMax = std::chrono::seconds(1);

int milliseconds_until(std::chrono::steady_clock::time_point when,
                       std::chrono::steady_clock::time_point now) {
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
  set_thread_name(worker_thread_name(shared_.settings.listener, 0));
  for (;;) {
    const auto now = Clock::now();
    heartbeat_.beat(now);
    const bool paused = now < resume_at_;
    std::array<pollfd, 2> fds{{
        {stop_.fd(), POLLIN, 0},
        {paused ? -1 : shared_.listen_fd, POLLIN, 0},  // poll skips -1
    }};
    const auto wake_at = now + event::Heartbeat::interval();
    const int timeout = milliseconds_until(paused ? std::min(resume_at_, wake_at) : wake_at, now);
    if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
      failed(errno, Clock::now());  // out of memory: wait, then try again
      continue;
    }
    if (fds[0].revents != 0) return;
    if (fds[1].revents != 0) accept_some();
  }
}

void Acceptor::accept_some() {
  for (int i = 0; i < kAcceptBatch; ++i) {
    if (!ready_mailbox(Clock::now())) return;
    net::UniqueFd fd(
        ::accept4(shared_.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    const auto now = Clock::now();
    if (!fd) {
      if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return;
      failed(errno, now);
      return;
    }
    accept_errors_.settle(*shared_.settings.log, now);
    backoff_ = {};
    serve(std::move(fd), now);
    if (now < resume_at_) return;  // no thread could be started
  }
}

// Out of descriptors or memory (or an error that would recur at once): the
// listening socket stays readable, so stop watching it for a while.
// Connections ending meanwhile free what was missing.
void Acceptor::failed(int error, Clock::time_point now) {
  accept_errors_.hit(*shared_.settings.log, now, std::strerror(error));
  back_off(now);
}

void Acceptor::back_off(Clock::time_point now) {
  backoff_ = backoff_ == Clock::duration{}
                 ? std::chrono::duration_cast<Clock::duration>(kBackoffFirst)
                 : std::min<Clock::duration>(backoff_ * 2, kBackoffMax);
  resume_at_ = now + backoff_;
}

bool Acceptor::ready_mailbox(Clock::time_point now) {
  if (!shared_.hub.present() || spare_mailbox_) return true;
  try {
    spare_mailbox_ = std::make_unique<Mailbox>(shared_.settings.limits.max_outbox);
    return true;
  } catch (const std::system_error& e) {
    failed(e.code().value(), now);
  } catch (const std::bad_alloc&) {
    failed(ENOMEM, now);
  }
  return false;
}

void Acceptor::serve(net::UniqueFd fd, Clock::time_point now) {
  auto& log = *shared_.settings.log;
  if (!shared_.count.try_acquire()) {
    refusals_.hit(log, now, net::peer_address(fd.get()));
    const auto& refusal = shared_.protocol.refusal;
    if (!refusal.empty())
      ::send(fd.get(), refusal.data(), refusal.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    return;  // closes the socket
  }
  refusals_.settle(log, now);
  try {
    // ready_mailbox() made the Mailbox; a failed spawn consumes it.
    shared_.threads.spawn(std::make_unique<Connection>(shared_, std::move(fd), next_id_++,
                                                       std::move(spare_mailbox_)));
    thread_errors_.settle(log, now);
  } catch (const std::exception& e) {
    // The connection is closed unserved; threads ending free room for more.
    thread_errors_.hit(log, now, e.what());
    shared_.count.release();
    back_off(now);
  }
}

}  // namespace netcook::model::thread
