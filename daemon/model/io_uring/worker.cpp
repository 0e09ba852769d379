#include "model/io_uring/worker.hpp"

#include "model/io_uring/driver.hpp"
#include "model/pump.hpp"
#include "net/accept.hpp"

#include <cerrno>

namespace netcook::model::io_uring {
namespace {

// Bytes one connection may read per turn, so one fast sender cannot starve
// the others on its worker.
constexpr std::size_t kReadBudget = 256 * 1024;
// How long a worker whose thread is gone waits for the ring to give up its
// connections' operations (cancelled: they end at once).
constexpr int kSettleMs = 100;
constexpr int kSettleTurns = 50;

}  // namespace

Worker::Worker(ReactorShared& shared, unsigned index)
    : ReactorWorker(shared, index),
      pool_(ring_, loop()),
      accept_pause_(loop(), [this] { resume_accepting(); }) {}

// The thread is gone: nobody else touches the connections. Each gets what
// its socket takes at once of its last words; then everything still in
// flight is cancelled, and the connections go as their operations end.
Worker::~Worker() {
  halt();
  ending_ = true;
  try {
    if (accept_armed_) ring_.cancel(*this);
    accepting_ = false;
    const auto now = Clock::now();
    for (Connection& connection : connections_)
      connection.end_now(shared_.end_reason.load(), now);
    ring_.submit();  // the last words go now, or not at all
    ring_.settle(0);
    for (auto it = connections_.begin(); it != connections_.end();) {
      Connection& connection = *it++;  // close() may erase it
      close(connection);
    }
    for (int turn = 0; turn < kSettleTurns && (!connections_.empty() || accept_armed_); ++turn)
      ring_.settle(kSettleMs);
  } catch (const std::exception& e) {
    shared_.settings.log->error("io_uring worker: ending its connections: {}", e.what());
  }
  if (!connections_.empty()) {
    // The kernel still holds operations on their memory: better never
    // freed than freed under it.
    shared_.settings.log->error("io_uring worker: {} connections still busy in the ring; left",
                                connections_.size());
    auto* kept = new std::list<Connection>;
    kept->splice(kept->end(), connections_);
  }
}

void Worker::start() {
  accepting_ = true;
  accept();
  thread_.start(&ring_);
}

void Worker::stop_accepting() {
  thread_.run_there([this] {
    accepting_ = false;
    accept_pause_.cancel();
    if (!accept_armed_) return;
    try {
      ring_.cancel_now(*this);
    } catch (const std::exception& e) {
      shared_.settings.log->error("cannot stop accepting: {}", e.what());
    }
  });
}

// One connection at a time, asked for again after each (one submission
// entry, no system call of its own), not a multishot accept, for two
// reasons measured here: an armed accept waits at the end of the
// socket's queue of waiters and the kernel hands a connection to the
// first, so asking again passes the connections round the workers in
// turn (a multishot accept stays first in line and takes them all); and
// the kernel takes the descriptor limit (RLIMIT_NOFILE) when an accept is
// armed, so a multishot accept would never see a limit lowered after.
void Worker::accept() noexcept {
  ring_.accept(*this, shared_.listen_fd.get());
  accept_armed_ = true;
}

// One accepted connection, or why not. Accepted after stop_accepting() (in
// the ring before the cancel): still served.
void Worker::completed(std::int32_t result, std::uint32_t flags) noexcept {
  if (!uring::more(flags)) accept_armed_ = false;
  if (result == -ECANCELED) return;
  if (ending_) {  // the worker is going: nobody would serve it
    net::accepted_from(result);  // closed
    return;
  }
  const auto next = shared_.gate.take_accepted(net::accepted_from(result), *this, loop().now());
  if (next == AcceptGate::Next::pause) {
    if (accept_armed_) ring_.cancel(*this);
    accept_pause_.arm_at(shared_.gate.resume_at());
    return;
  }
  if (!accept_armed_ && accepting_ && !accept_pause_.armed()) accept();
}

void Worker::resume_accepting() noexcept {
  if (accepting_ && !accept_armed_) accept();
}

void Worker::admit(Admission& admission) {
  auto& connection =
      connections_.emplace_back(*this, admission, setup(admission.socket.borrow()), loop().now());
  connection.self = std::prev(connections_.end());
  connection.core().open(loop().now());
  serve(connection);
}

void Worker::serve(Connection& connection) noexcept {
  if (connection.closing) return;
  ConnectionCore& core = connection.core();
  switch (
      pump(core, connection.transport(), connection.ready, scratch_, kReadBudget, loop().now())) {
    case Pumped::closed:
      close(connection);
      return;
    case Pumped::more:
      connection.defer_turn();
      break;
    case Pumped::idle:
      break;
  }
  connection.turn_ended();
  connection.deadline().arm_by(core.deadline());
}

void Worker::completed(Connection& connection) noexcept {
  if (!connection.closing) {
    serve(connection);
    return;
  }
  if (!connection.busy()) connections_.erase(connection.self);
}

void Worker::deadline_passed(Connection& connection) noexcept {
  if (connection.expire_when_due(connection.deadline(), loop().now())) serve(connection);
}

// Freed at once when nothing of it is in the ring; else once what is
// there ended (cancelled now).
void Worker::close(Connection& connection) noexcept {
  connection.cancel();
  connection.deadline().cancel();
  if (!connection.busy()) connections_.erase(connection.self);
}

std::unique_ptr<Driver> make_io_uring_driver(DriverSettings settings, net::Fd listening,
                                             proto::Protocol protocol) {
  return std::make_unique<ReactorDriver<Worker>>(std::move(settings), listening,
                                                 std::move(protocol));
}

}  // namespace netcook::model::io_uring
