#pragma once

// The select model's one loop, single-threaded: each turn builds the read and
// write sets, waits in select(2) until something is ready or the nearest
// deadline, then moves bytes, accepts, and closes what has timed out.
//
// Timeouts are found by a scan of every connection each turn. select(2)
// already costs O(connections) per call (the kernel walks the sets, we build
// and test them), so a scan adds no order of magnitude and keeps no second
// structure in step.
//
// The listener's Service (chat room) lives here too: an Uplink calls it
// directly and the Courier appends to the receiver's outbox. A receiver cut
// off for exceeding max_outbox is only marked during the Service call and
// closed (which tells the Service it is gone) once the call has returned.
//
// Only the loop thread calls a Reactor, except where a member says "any
// thread"; the driver calls the rest only while the loop is not running.

#include "event/heartbeat.hpp"
#include "model/connection_count.hpp"
#include "model/driver.hpp"
#include "model/select/acceptor.hpp"
#include "model/select/connection.hpp"
#include "model/select/fd_sets.hpp"
#include "model/select/wake.hpp"

#include <array>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace netcook::model::select_model {

class Reactor final : private proto::Courier {
 public:
  // Makes the wake-up eventfd first, then the Service; throws if either fails.
  Reactor(DriverSettings settings, int listen_fd, proto::Protocol protocol);
  // The Service goes first (at teardown nobody is told who left), then every
  // connection is closed.
  ~Reactor();

  // Checks that select(2) can watch the listening socket; throws otherwise.
  void prepare();

  // One select(2) round. Throws only when select(2) itself fails for good.
  void turn();

  // Any thread: makes the current or next turn return promptly.
  void wake_up() noexcept { wake_.signal(); }

  // Never accepts again, and releases the listening socket.
  void stop_accepting() noexcept { acceptor_.stop(); }
  // Any thread: on_drained once the last connection has closed.
  void drain() { count_.drain(); }
  // Any thread.
  std::size_t connections() const noexcept { return count_.open(); }

  // Beaten on every turn; a turn comes at least once per
  // Heartbeat::interval().
  event::Heartbeat& heartbeat() noexcept { return heartbeat_; }

  const std::string& thread_name() const noexcept { return thread_name_; }
  spdlog::logger& log() const noexcept { return *settings_.log; }

  // A session sent a message to the listener's Service.
  void to_service(proto::ConnectionId from, std::string_view message);

 private:
  void deliver(proto::ConnectionId to, std::string_view bytes) override;
  void admit(net::UniqueFd fd, Clock::time_point now) noexcept;
  Interest interest(Clock::time_point now, std::optional<Clock::time_point>& next) const noexcept;
  void dispatch(const Interest& ready, Clock::time_point now) noexcept;
  void expire(Clock::time_point now) noexcept;
  void reap_cut_offs() noexcept;
  void close(Connection& connection) noexcept;

  Wake wake_;  // first: the lowest free descriptor, see wake.hpp
  DriverSettings settings_;
  proto::Protocol protocol_;
  std::string thread_name_;
  event::Heartbeat heartbeat_;
  ConnectionCount count_;
  std::unique_ptr<proto::Service> service_;  // null for protocols without one
  Acceptor acceptor_;

  std::list<Connection> connections_;  // in the order they were accepted
  // Connections by id, kept only when the protocol has a Service.
  std::unordered_map<proto::ConnectionId, Connection*> by_id_;
  // Cut off during a Service call; closed once it has returned.
  std::vector<proto::ConnectionId> cut_off_;
  proto::ConnectionId next_id_ = 1;

  std::array<char, 64 * 1024> scratch_{};
};

}  // namespace netcook::model::select_model
