#include "model/coroutine/worker.hpp"

#include "model/coroutine/connection.hpp"
#include "model/thread_name.hpp"

#include <latch>

namespace netcook::model::coroutine {

Worker::Worker(Shared& shared, unsigned index)
    : shared_(shared),
      index_(index),
      thread_name_(worker_thread_name(shared.settings.listener, index)),
      acceptor_([this](std::exception_ptr error) { connection_failed(std::move(error)); }),
      connections_([this](std::exception_ptr error) { connection_failed(std::move(error)); }) {
  loop_.beat_into(heartbeat_);
}

// The thread is gone, so no coroutine is running: each suspended frame is
// destroyed here, once, and its Connection closes the socket and frees the
// slot (the driver has dropped the Service first, so nobody hears gone()).
Worker::~Worker() {
  halt();
  acceptor_.cancel();
  listening_.reset();
  connections_.cancel();
}

void Worker::start() {
  listening_.emplace(loop_, shared_.listen_fd, EPOLLIN | EPOLLEXCLUSIVE | EPOLLET);
  // Spawned on the worker's own thread, where it runs from then on.
  loop_.post([this] {
    try {
      acceptor_.spawn(accept_loop());
    } catch (const std::exception& e) {
      log().critical("worker {} cannot accept: {}", thread_name_, e.what());
    }
  });
  thread_ = std::thread([this] { run(); });
}

void Worker::stop_accepting() {
  const auto stop = [this] {
    acceptor_.cancel();
    listening_.reset();  // unregisters the listening socket
  };
  if (!thread_.joinable()) {
    stop();
    return;
  }
  std::latch done(1);
  loop_.post([&] {
    stop();
    done.count_down();
  });
  done.wait();
}

void Worker::halt() noexcept {
  loop_.stop();
  if (thread_.joinable()) thread_.join();
}

void Worker::run() noexcept {
  set_thread_name(thread_name_);
  try {
    loop_.run();
  } catch (const std::exception& e) {
    log().critical("worker {} stopped: {}", thread_name_, e.what());
  }
}

// A coroutine ended with an exception its own code did not catch (e.g. the
// session could not be made): only that connection is gone.
void Worker::connection_failed(std::exception_ptr error) noexcept {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const std::exception& e) {
    log().error("a connection failed: {}", e.what());
  } catch (...) {
    log().error("a connection failed");
  }
}

void Worker::joined(proto::ConnectionId id, Connection& connection) {
  by_id_.emplace(id, &connection);
}

void Worker::left(proto::ConnectionId id) noexcept {
  by_id_.erase(id);
  if (!shared_.service) return;  // teardown: the Service went first
  try {
    std::lock_guard lock(shared_.service_mutex);
    shared_.service->gone(id, *this);
  } catch (const std::exception& e) {
    log().error("service failed on a closed connection: {}", e.what());
  }
}

void Worker::to_service(proto::ConnectionId from, std::string_view message) {
  std::lock_guard lock(shared_.service_mutex);
  shared_.service->message(from, message, *this);
}

// Courier: runs with the Service mutex held, so it only queues and wakes; a
// connection cut off here ends on its next turn, outside the Service.
void Worker::deliver(proto::ConnectionId to, std::string_view bytes) {
  const auto index = static_cast<std::size_t>(to & 0xff);
  if (index == index_) {
    // Deliveries other workers queued here were made earlier (under the
    // same Service mutex): they go first, so every receiver sees lines in
    // the order the Service produced them.
    take_deliveries();
    deliver_here(to, bytes);
  }
  else if (index < shared_.workers.size())
    shared_.workers[index]->post_delivery(to, bytes);
}

void Worker::deliver_here(proto::ConnectionId to, std::string_view bytes) noexcept {
  const auto it = by_id_.find(to);
  if (it != by_id_.end()) it->second->deliver(bytes, shared_.settings.limits.max_outbox);
}

void Worker::post_delivery(proto::ConnectionId to, std::string_view bytes) {
  if (inbox_.put(to, bytes)) loop_.post([this] { take_deliveries(); });
}

void Worker::take_deliveries() noexcept {
  for (const auto& [to, bytes] : inbox_.take()) deliver_here(to, bytes);
}

}  // namespace netcook::model::coroutine
