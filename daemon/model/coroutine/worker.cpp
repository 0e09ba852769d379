#include "model/coroutine/worker.hpp"

#include "co/sleep.hpp"
#include "model/coroutine/connection.hpp"
#include "model/coroutine/driver.hpp"

namespace netcook::model::coroutine {

Worker::Worker(ReactorShared& shared, unsigned index)
    : ReactorWorker(shared, index),
      acceptor_([this](std::exception_ptr error) { failed(std::move(error)); }),
      connections_([this](std::exception_ptr error) { failed(std::move(error)); }) {}

// The thread is gone, so no coroutine is running: each suspended frame is
// destroyed here, once, and its Connection ends with the driver's reason
// (the driver has dropped the Service first, so nobody hears gone()).
Worker::~Worker() {
  halt();
  acceptor_.cancel();
  listening_.reset();
  connections_.cancel();
}

void Worker::start() {
  listening_.emplace(loop(), shared_.listen_fd, EPOLLIN | EPOLLEXCLUSIVE | EPOLLET);
  // Spawned on the worker's own thread, where it runs from then on.
  loop().post([this] {
    try {
      acceptor_.spawn(accept_loop());
    } catch (const std::exception& e) {
      shared_.settings.log->critical("worker {} cannot accept: {}", thread_.name(), e.what());
    }
  });
  thread_.start();
}

void Worker::stop_accepting() {
  thread_.run_there([this] {
    acceptor_.cancel();
    listening_.reset();  // unregisters the listening socket
  });
}

// The gate says when to wait: for the socket (its edge), for the others'
// turn, or out a pause after a failure (edges are remembered meanwhile).
co::Task<void> Worker::accept_loop() {
  for (;;) {
    switch (shared_.gate.accept_some(shared_.listen_fd, *this, loop().now())) {
      case AcceptGate::Next::wait:
        listening_->read_blocked();
        co_await listening_->readable();
        break;
      case AcceptGate::Next::again:
        co_await co::yield(loop());
        break;
      case AcceptGate::Next::pause:
        co_await co::Sleep(loop(), shared_.gate.resume_at());
        break;
    }
  }
}

// The connection's coroutine runs at once, up to its first wait.
void Worker::admit(Admission& admission) {
  auto connection = std::make_unique<Connection>(*this, admission, setup(admission.socket.borrow()),
                                                 loop().now());
  connections_.spawn(serve(*this, std::move(connection)));
}

// A coroutine ended with an exception its own code did not catch: only
// that connection (or accept loop) is gone.
void Worker::failed(std::exception_ptr error) noexcept {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const std::exception& e) {
    shared_.settings.log->error("a coroutine of worker {} failed: {}", thread_.name(), e.what());
  } catch (...) {
    shared_.settings.log->error("a coroutine of worker {} failed", thread_.name());
  }
}

std::unique_ptr<Driver> make_coroutine_driver(DriverSettings settings, net::Fd listening,
                                              proto::Protocol protocol) {
  return std::make_unique<ReactorDriver<Worker>>(std::move(settings), listening,
                                                 std::move(protocol));
}

}  // namespace netcook::model::coroutine
