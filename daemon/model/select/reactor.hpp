#pragma once

// The select model's one loop, single-threaded: each turn closes what has
// ended and expires what has timed out, builds the read and write sets from
// what each connection's core wants, waits in select(2) until something is
// ready or the nearest deadline, then moves bytes and accepts.
//
// Timeouts are found by a scan of every connection each turn. select(2)
// already costs O(connections) per call (the kernel walks the sets, we build
// and test them), so a scan adds no order of magnitude and keeps no second
// structure in step.
//
// The listener's Service (chat room) lives here too, behind the one desk
// of a one-thread driver: a session's message calls it directly and its
// deliveries go straight to the receivers' cores. Its wake
// (ServiceContext::wake) signals the wake-up eventfd; each turn begins by
// calling woken() if a wake is pending.
//
// Only the loop thread calls a Reactor, except where a member says "any
// thread"; the driver calls the rest only while the loop is not running.

#include "event/event_fd.hpp"
#include "event/heartbeat.hpp"
#include "model/driver.hpp"
#include "model/listener_state.hpp"
#include "model/select/connection.hpp"
#include "model/select/fd_sets.hpp"
#include "model/service_desk.hpp"

#include <array>
#include <list>
#include <memory>
#include <optional>
#include <string>

namespace netcook::model::select_model {

class Reactor final : private AcceptGate::Host {
 public:
  // Makes the wake-up eventfd first (see wake()), then the Service; throws
  // if either fails.
  Reactor(DriverSettings settings, net::Fd listening, proto::Protocol protocol);
  // The Service goes first (at teardown nobody is told who left), then every
  // connection is closed with the reason stop_accepting() gave.
  ~Reactor();

  // Checks that select(2) can watch the listening socket: one at or above
  // FD_SETSIZE is duplicated below it (the duplicate is closed by
  // stop_accepting()). Throws when no descriptor below FD_SETSIZE is free.
  void prepare();

  // One select(2) round. Throws only when select(2) itself fails for good.
  void turn();

  // Any thread: makes the current or next turn return promptly.
  void wake_up() noexcept { wake_.signal(); }

  // Never accepts again, and releases the listening socket.
  void stop_accepting(CloseReason why) noexcept;
  // Any thread: on_drained once the last connection has closed.
  void drain() { state_.count.drain(); }
  // Any thread.
  std::size_t connections() const noexcept { return state_.count.open(); }

  // Beaten on every turn; a turn comes at least once per
  // Heartbeat::interval().
  event::Heartbeat& heartbeat() noexcept { return heartbeat_; }

  const std::string& thread_name() const noexcept { return thread_name_; }
  spdlog::logger& log() const noexcept { return *state_.settings.log; }

 private:
  void admit(Admission& admission) override;
  Interest interest(Clock::time_point now, std::optional<Clock::time_point>& next) const noexcept;
  void dispatch(const Interest& ready, Clock::time_point now) noexcept;
  void accept(Clock::time_point now) noexcept;
  void expire(Clock::time_point now) noexcept;
  void serve(Connection& connection, Clock::time_point now) noexcept;
  void close(Connection& connection) noexcept;

  // First: eventfd() takes the lowest free descriptor, and select(2) only
  // watches descriptors below FD_SETSIZE. Made when the server builds the
  // listener (at start-up or on reload); should even the lowest free one be
  // at or above FD_SETSIZE, no select loop could work in this process, and
  // the constructor throws.
  event::EventFd wake_;
  // Connections at or above FD_SETSIZE are refused, and no more counted.
  ListenerState state_;
  const std::string thread_name_;
  event::Heartbeat heartbeat_;
  ServiceHall hall_;
  ServiceDesk desk_;
  net::Fd listening_;       // state_.listen_fd or low_copy_; invalid once stopped
  net::UniqueFd low_copy_;  // a duplicate below FD_SETSIZE, when needed

  std::list<Connection> connections_;  // in the order they were accepted
  proto::ConnectionId next_id_ = 1;

  std::array<char, 64 * 1024> scratch_{};
};

}  // namespace netcook::model::select_model
