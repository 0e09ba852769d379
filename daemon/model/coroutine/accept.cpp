// The worker's accept loop: a coroutine that accepts from the shared
// listening socket (EPOLLEXCLUSIVE, so one worker wakes per connection) and
// spawns one connection coroutine per client.

#include "model/coroutine/connection.hpp"
#include "model/coroutine/worker.hpp"

#include "co/sleep.hpp"
#include "net/socket.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/socket.h>

namespace netcook::model::coroutine {
namespace {

// Connections accepted per turn before other work gets one.
constexpr int kAcceptBatch = 64;
constexpr event::Clock::duration kBackoffFirst = std::chrono::milliseconds(50);
constexpr event::Clock::duration kBackoffMax = std::chrono::seconds(1);

bool starving(int error) {
  return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
}

}  // namespace

// Out of file descriptors or memory, accept() would fail again at once:
// sleep instead of spinning (edges are remembered meanwhile), doubling the
// pause while the shortage lasts. Connections closing free what we lack; a
// turn that accepted some before running short starts the pause over.
co::Task<void> Worker::accept_loop() {
  event::Clock::duration backoff{};
  for (;;) {
    switch (accept_some()) {
      case AcceptEnd::drained: {
        backoff = {};
        const co::Ready ready = co_await listening_->readable();
        // A listening socket in error would report so at once, forever.
        if (ready == co::Ready::error) co_await co::sleep(loop_, kBackoffMax);
        break;
      }
      case AcceptEnd::batch_done:
        backoff = {};
        co_await co::yield(loop_);
        break;
      case AcceptEnd::starved:
        backoff = backoff == event::Clock::duration{} ? kBackoffFirst
                                                      : std::min(backoff * 2, kBackoffMax);
        co_await co::sleep(loop_, backoff);
        break;
      case AcceptEnd::starved_after_some:
        backoff = kBackoffFirst;
        co_await co::sleep(loop_, backoff);
        break;
    }
  }
}

Worker::AcceptEnd Worker::accept_some() noexcept {
  auto& log = *shared_.settings.log;
  bool accepted = false;
  for (int i = 0; i < kAcceptBatch; ++i) {
    net::UniqueFd fd(
        ::accept4(shared_.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      const int error = errno;
      if (error == EAGAIN || error == EWOULDBLOCK) {
        listening_->read_blocked();
        return AcceptEnd::drained;
      }
      if (error == EINTR || error == ECONNABORTED) continue;
      accept_errors_.hit(log, loop_.now(), std::strerror(error));
      if (starving(error)) return accepted ? AcceptEnd::starved_after_some : AcceptEnd::starved;
      continue;
    }
    accepted = true;
    accept_errors_.settle(log, loop_.now());
    Slot slot(shared_.count);
    if (!slot) {
      refuse(fd.get());
      continue;
    }
    refusals_.settle(log, loop_.now());
    serve_new(std::move(fd), std::move(slot));
  }
  return AcceptEnd::batch_done;
}

void Worker::refuse(int fd) noexcept {
  refusals_.hit(*shared_.settings.log, loop_.now(), net::peer_address(fd));
  const auto& refusal = shared_.protocol.refusal;
  if (!refusal.empty()) ::send(fd, refusal.data(), refusal.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

// The connection's coroutine runs at once, up to its first wait. Should its
// frame not be allocated, the arguments close the socket and free the slot.
void Worker::serve_new(net::UniqueFd fd, Slot slot) noexcept {
  // The low byte routes Service deliveries to this worker.
  const proto::ConnectionId id = (next_serial_++ << 8) | index_;
  try {
    connections_.spawn(serve(*this, std::move(fd), std::move(slot), id));
  } catch (const std::exception& e) {
    shared_.settings.log->error("cannot serve a new connection: {}", e.what());
  }
}

}  // namespace netcook::model::coroutine
