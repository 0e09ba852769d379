// The life of one connection, as straight-line code: greet; then, until the
// peer or the session is done, write what is queued, read what has arrived
// and feed it to the session, and when neither can move, wait for the
// socket (or a delivery) up to the connection's deadline. Nothing is read
// while the outbox holds max_outbox bytes: that is the backpressure.
//
// Bytes are read into the worker's scratch buffer and handed to the session
// before the coroutine next suspends, so an idle connection holds no buffer.

#include "model/coroutine/connection.hpp"
#include "model/coroutine/worker.hpp"

#include "co/io.hpp"
#include "co/sleep.hpp"
#include "log/fields.hpp"

#include <algorithm>
#include <span>

#include <fmt/chrono.h>

namespace netcook::model::coroutine {
namespace {

using Status = co::IoResult::Status;

// Bytes one connection may read before the others on its worker get a turn.
constexpr std::size_t kReadBudget = 256 * 1024;

// A deadline passed; on the read timeout the session answers a last time.
void time_out(Connection& connection, Worker& worker) {
  const auto& limits = worker.shared().settings.limits;
  const log::PeerScope peer(connection.peer());
  if (connection.read_timeout_first()) {
    worker.log().debug("closing connection {}: its request did not complete in {}",
                       connection.id(), limits.read_timeout);
    connection.read_timed_out();
  } else {
    worker.log().debug("closing connection {}: idle for {}", connection.id(),
                       limits.idle_timeout);
  }
}

}  // namespace

co::Task<void> serve(Worker& worker, net::UniqueFd fd, Slot slot, proto::ConnectionId id) {
  Connection connection(worker, std::move(fd), std::move(slot), id);
  co::FdEvents& events = connection.events();
  const std::span<char> scratch = worker.scratch();
  std::size_t budget = kReadBudget;
  try {
    connection.open();
    while (!connection.cut_off()) {
      if (!connection.outbox().empty() && events.maybe_writable()) {
        const proto::SendResult sent = connection.write();
        if (sent.status == proto::SendResult::Status::error) co_return;
        if (sent.status == proto::SendResult::Status::paused) {
          co_await co::yield(worker.loop());  // the others' turn: this one writes on
          continue;
        }
      }
      if (connection.finished()) co_return;

      const bool may_read = connection.may_read();
      if (may_read && events.maybe_readable()) {
        const co::IoResult got = co::read_now(events, scratch);
        if (got.status == Status::ok) {
          connection.received({scratch.data(), got.size});
          budget -= std::min(budget, got.size);
          if (budget == 0) {
            budget = kReadBudget;
            co_await co::yield(worker.loop());
          }
          continue;
        }
        if (got.status == Status::closed) connection.peer_closed();
        if (got.status == Status::error) co_return;
        continue;
      }
      const bool may_write = !connection.outbox().empty();
      if (may_write && events.maybe_writable()) continue;

      // Nothing moves either way: wait for whichever may move, or a
      // delivery, up to the deadline.
      const unsigned interest = (may_read ? co::FdEvents::kRead : 0u) |
                                (may_write ? co::FdEvents::kWrite : 0u);
      const co::Ready ready = co_await events.wait(interest, connection.deadline());
      if (ready == co::Ready::timeout) {
        time_out(connection, worker);
        co_return;
      }
      if (ready == co::Ready::error) co_return;
    }
    const log::PeerScope peer(connection.peer());
    worker.log().debug("cutting off connection {}: it does not read its output", id);
  } catch (const std::exception& e) {
    const log::PeerScope peer(connection.peer());
    worker.log().error("connection {} from {} failed: {}", id, connection.peer(), e.what());
  }
}

}  // namespace netcook::model::coroutine
