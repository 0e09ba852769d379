#pragma once

// One reactor thread of the epoll model: accepts from the shared listening
// socket (EPOLLEXCLUSIVE, so one worker wakes per connection), serves its
// connections edge-triggered, and enforces idle and read timeouts from two
// lists ordered by deadline, so a timeout check costs O(1) per connection.

#include "event/loop.hpp"
#include "event/timer.hpp"
#include "model/burst_log.hpp"
#include "model/connection_count.hpp"
#include "model/delivery_inbox.hpp"
#include "model/driver.hpp"
#include "model/epoll/connection.hpp"

#include <array>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace netcook::model::epoll {

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

class Worker final : public event::Watcher, private proto::Courier {
 public:
  Worker(Shared& shared, unsigned index);
  ~Worker();

  void start();
  // Synchronous: returns once this worker will never accept again.
  void stop_accepting();
  // Stops the thread and waits for it; connections stay open until the
  // worker is destroyed.
  void halt() noexcept;

  // The listening socket is readable.
  void on_ready(std::uint32_t events) noexcept override;

  // A connection's socket became ready: move its bytes.
  void service(Connection& connection) noexcept;

  // A session on this worker sent a message to the listener's Service.
  void to_service(proto::ConnectionId from, std::string_view message);

  // Thread-safe: queues bytes from the Service for a connection of this
  // worker and wakes the worker.
  void post_delivery(proto::ConnectionId to, std::string_view bytes);

  event::Clock::time_point now() const noexcept { return loop_.now(); }
  spdlog::logger& log() const noexcept { return *shared_.settings.log; }

  // The proof that this worker's loop turns (for the systemd watchdog).
  event::Heartbeat& heartbeat() noexcept { return heartbeat_; }

 private:
  void deliver(proto::ConnectionId to, std::string_view bytes) override;
  void deliver_here(proto::ConnectionId to, std::string_view bytes) noexcept;
  void take_deliveries() noexcept;
  void run() noexcept;
  void accept_some() noexcept;
  void accept_failed(int error) noexcept;
  void add_connection(net::UniqueFd fd) noexcept;
  void refuse(int fd) noexcept;
  void close(Connection& connection) noexcept;
  void schedule(Connection& connection) noexcept;
  void track_partial(Connection& connection) noexcept;
  void run_ready_queue() noexcept;
  void expire() noexcept;
  void arm_expiry() noexcept;
  void pause_accepting() noexcept;
  void resume_accepting() noexcept;

  Shared& shared_;
  const unsigned index_;
  std::string thread_name_;
  event::Loop loop_;
  event::Heartbeat heartbeat_;  // beaten by loop_, read by the watchdog
  std::thread thread_;
  bool accepting_ = false;
  std::uint64_t next_serial_ = 1;

  // Every connection, least recently active first.
  std::list<Connection> connections_;
  // Connections with a partial line or request, oldest first.
  std::list<Connection*> partial_;
  // Connections that want another turn (read budget used up, or output
  // delivered by the Service).
  std::deque<Connection*> ready_;
  // Connections by id, kept only when the protocol has a Service.
  std::unordered_map<proto::ConnectionId, Connection*> by_id_;

  DeliveryInbox inbox_;

  event::Timer expiry_;
  event::Timer ready_turn_;
  event::Timer accept_backoff_;
  event::Clock::duration backoff_delay_{};
  BurstLog accept_errors_{"accept failed"};
  BurstLog refusals_{"max_connections reached; refusing connections"};

  std::array<char, 64 * 1024> scratch_{};
};

}  // namespace netcook::model::epoll
