#include "model/io_uring/connection.hpp"

#include "model/io_uring/worker.hpp"

#include <poll.h>

namespace netcook::model::io_uring {

Connection::Connection(Worker& worker, Admission& admission, NewConnection made,
                       Clock::time_point now)
    : ReactorConnection(worker.desk(), admission, std::move(made), now),
      worker_(worker),
      deadline_(worker.loop(), [this] { worker_.deadline_passed(*this); }),
      turn_(worker.loop(), [this] { worker_.serve(*this); }) {
  if (!secured()) {
    ring_io_.emplace(socket(), worker.ring(), worker.pool(), ready,
                     static_cast<RingTransport::Owner&>(*this));
    carry_plain_on(*ring_io_);
  }
  if (needs_poll()) poll();
}

// Nothing is in flight (the worker waited for that): the transport goes
// before the socket closes.
Connection::~Connection() = default;

void Connection::deliver(std::string_view bytes) noexcept {
  core().deliver(bytes);
  turn_.schedule();
}

bool Connection::needs_poll() const noexcept {
  return secured() || core().awaiting_header();
}

void Connection::poll() noexcept {
  worker_.ring().poll_multishot(poller_, socket().get(), POLLIN | POLLOUT | POLLRDHUP);
  polling_ = true;
  poll_stopping_ = false;
}

// The PROXY header was read by peeking; what follows it comes by the
// ring's receive from now on, asked for now (the pump may have found the
// socket drained with the header, and would not read again).
void Connection::turn_ended() noexcept {
  if (polling_ && !poll_stopping_ && !needs_poll()) {
    worker_.ring().cancel(poller_);
    poll_stopping_ = true;
    if (ring_io_) ring_io_->receive_now();
  }
}

void Connection::cancel() noexcept {
  closing = true;
  if (ring_io_) ring_io_->cancel();
  if (polling_ && !poll_stopping_) {
    worker_.ring().cancel(poller_);
    poll_stopping_ = true;
  }
}

// poll(2)'s event bits are epoll's.
void Connection::polled(std::int32_t result, std::uint32_t flags) noexcept {
  if (!uring::more(flags)) polling_ = false;
  if (result > 0) ready.note(static_cast<std::uint32_t>(result));
  // A poll that ended on its own (not cancelled) while still needed.
  if (!polling_ && !poll_stopping_ && !closing && needs_poll()) poll();
  if (!polling_) poll_stopping_ = false;
  worker_.completed(*this);  // last: the worker may free this connection
}

void Connection::completed() noexcept { worker_.completed(*this); }

}  // namespace netcook::model::io_uring
