#include "model/epoll/worker.hpp"

#include "model/epoll/driver.hpp"
#include "model/pump.hpp"

#include <sys/epoll.h>

namespace netcook::model::epoll {
namespace {

// Bytes one connection may read per turn, so one fast sender cannot starve
// the others on its worker.
constexpr std::size_t kReadBudget = 256 * 1024;
constexpr std::uint32_t kListening = EPOLLIN | EPOLLEXCLUSIVE;

}  // namespace

Worker::Worker(ReactorShared& shared, unsigned index)
    : ReactorWorker(shared, index),
      listening_(loop(), shared.listen_fd, *this),
      accept_pause_(loop(), [this] { resume_accepting(); }) {}

// The thread is gone: nobody else touches the connections. Each gets what
// its socket takes at once of its last words, then closes.
Worker::~Worker() {
  halt();
  listening_.cancel();
  const auto now = Clock::now();
  while (!connections_.empty()) {
    connections_.front().end_now(shared_.end_reason.load(), now);
    close(connections_.front());
  }
}

void Worker::start() {
  listening_.watch(kListening);
  accepting_ = true;
  thread_.start();
}

void Worker::stop_accepting() {
  thread_.run_there([this] {
    accepting_ = false;
    listening_.cancel();
    accept_pause_.cancel();
  });
}

void Worker::on_ready(std::uint32_t) noexcept {
  accept();
}

// Level-triggered: while connections wait, epoll reports the socket again.
void Worker::accept() noexcept {
  if (shared_.gate.accept_some(shared_.listen_fd, *this, loop().now()) != AcceptGate::Next::pause)
    return;
  listening_.cancel();
  accept_pause_.arm_at(shared_.gate.resume_at());
}

void Worker::resume_accepting() noexcept {
  if (!accepting_) return;
  try {
    listening_.watch(kListening);
  } catch (const std::exception& e) {
    shared_.settings.log->error("cannot watch the listening socket again: {}", e.what());
    accept_pause_.arm_after(std::chrono::seconds(1));
    return;
  }
  accept();
}

void Worker::admit(Admission& admission) {
  auto& connection =
      connections_.emplace_back(*this, admission, setup(admission.socket.borrow()), loop().now());
  connection.self = std::prev(connections_.end());
  connection.core().open(loop().now());
  serve(connection);
}

void Worker::serve(Connection& connection) noexcept {
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
  connection.deadline().arm_by(core.deadline());
}

void Worker::deadline_passed(Connection& connection) noexcept {
  if (connection.expire_when_due(connection.deadline(), loop().now())) serve(connection);
}

void Worker::close(Connection& connection) noexcept {
  connections_.erase(connection.self);
}

std::unique_ptr<Driver> make_epoll_driver(DriverSettings settings, net::Fd listening,
                                          proto::Protocol protocol) {
  return std::make_unique<ReactorDriver<Worker>>(std::move(settings), listening,
                                                 std::move(protocol));
}

}  // namespace netcook::model::epoll
