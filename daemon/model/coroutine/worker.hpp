#pragma once

// One reactor thread of the coroutine model. The accept loop and every
// connection are coroutines on the worker's Loop; the worker's Scopes own
// their frames. A connection's frame is destroyed when its coroutine ends,
// or, at teardown, by the worker's destructor where it is suspended: either
// way exactly once, and its socket closes with it.

#include "co/fd_events.hpp"
#include "co/scope.hpp"
#include "co/task.hpp"
#include "event/loop.hpp"
#include "model/burst_log.hpp"
#include "model/connection_count.hpp"
#include "model/delivery_inbox.hpp"
#include "model/coroutine/slot.hpp"
#include "model/driver.hpp"
#include "net/unique_fd.hpp"

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace netcook::model::coroutine {

class Connection;
class Worker;

// What the workers of one driver share; owned by the driver.
struct Shared {
  DriverSettings settings;
  int listen_fd;
  proto::Protocol protocol;
  ConnectionCount count;
  // The listener's Service (chat room), if the protocol has one. Any worker
  // may call it, one at a time under the mutex.
  std::unique_ptr<proto::Service> service;
  std::mutex service_mutex;
  std::vector<Worker*> workers;  // indexed by the low byte of a ConnectionId
};

class Worker final : private proto::Courier {
 public:
  Worker(Shared& shared, unsigned index);
  // Stops the thread, then destroys the accept loop and every connection
  // coroutine still suspended (closing their sockets).
  ~Worker();

  // Registers the listening socket (throws std::system_error) and starts
  // the thread, which starts the accept loop.
  void start();
  // Synchronous: returns once this worker will never accept again.
  void stop_accepting();
  // Stops the thread and waits for it; connections stay open until the
  // worker is destroyed.
  void halt() noexcept;

  // For connections, on the worker's thread.
  event::Loop& loop() noexcept { return loop_; }
  const Shared& shared() const noexcept { return shared_; }
  spdlog::logger& log() const noexcept { return *shared_.settings.log; }
  const std::string& thread_name() const noexcept { return thread_name_; }
  // Shared by the worker's connections: a connection reads into it and
  // feeds the session before it suspends again.
  std::span<char> scratch() noexcept { return scratch_; }
  bool has_service() const noexcept { return shared_.service != nullptr; }

  // The Service plumbing (only with a Service).
  void joined(proto::ConnectionId id, Connection& connection);
  // Forgets the connection and tells the Service, if still there, that it
  // is gone.
  void left(proto::ConnectionId id) noexcept;
  void to_service(proto::ConnectionId from, std::string_view message);
  // Thread-safe: queues bytes from the Service for a connection of this
  // worker and wakes the worker.
  void post_delivery(proto::ConnectionId to, std::string_view bytes);

  // The proof that this worker's loop turns (for the systemd watchdog).
  event::Heartbeat& heartbeat() noexcept { return heartbeat_; }

 private:
  // starved: out of descriptors or memory with nothing accepted this turn;
  // starved_after_some: the same after accepting at least one.
  enum class AcceptEnd { drained, batch_done, starved, starved_after_some };

  void run() noexcept;
  co::Task<void> accept_loop();
  AcceptEnd accept_some() noexcept;
  void refuse(int fd) noexcept;
  void serve_new(net::UniqueFd fd, Slot slot) noexcept;
  void connection_failed(std::exception_ptr error) noexcept;

  void deliver(proto::ConnectionId to, std::string_view bytes) override;
  void deliver_here(proto::ConnectionId to, std::string_view bytes) noexcept;
  void take_deliveries() noexcept;

  Shared& shared_;
  const unsigned index_;
  const std::string thread_name_;
  std::uint64_t next_serial_ = 1;

  event::Loop loop_;
  event::Heartbeat heartbeat_;  // beaten by loop_, read by the watchdog
  std::thread thread_;
  // Registered in start(), unregistered by stop_accepting().
  std::optional<co::FdEvents> listening_;
  BurstLog accept_errors_{"accept failed"};
  BurstLog refusals_{"max_connections reached; refusing connections"};

  // Connections by id, kept only when the protocol has a Service.
  std::unordered_map<proto::ConnectionId, Connection*> by_id_;
  DeliveryInbox inbox_;

  std::array<char, 64 * 1024> scratch_{};

  // Destroyed explicitly by ~Worker(), before anything above.
  co::Scope acceptor_;
  co::Scope connections_;
};

}  // namespace netcook::model::coroutine
