#pragma once

// One client connection of the select model: its non-blocking socket (always
// below FD_SETSIZE), its session and its outbox. Level-triggered: each turn
// after select(2) reads at most once and writes at most the outbox's share
// of one send_to(), so no connection starves the others. The reactor owns connections; a connection
// never destroys itself.

#include "config/config.hpp"
#include "net/unique_fd.hpp"
#include "proto/session.hpp"

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace netcook::model::select_model {

using Clock = std::chrono::steady_clock;

class Reactor;

class Connection final : public proto::Uplink {
 public:
  Connection(Reactor& reactor, net::UniqueFd fd, proto::ConnectionId id, Clock::time_point now);
  ~Connection();

  // Set once, right after construction (the session needs this connection
  // as its Uplink).
  void attach(std::unique_ptr<proto::Session> session) noexcept { session_ = std::move(session); }

  // Uplink: a message from this connection's session to the Service.
  void send(std::string_view message) override;

  // Bytes from the Service. Returns false, and marks the connection cut off,
  // when they would take the outbox past `max_outbox`; the reactor closes it
  // once the Service call has returned.
  bool deliver(std::string_view bytes, std::size_t max_outbox) noexcept;

  // Greets the peer if the protocol wants to, and tries to write at once.
  void open(Clock::time_point now) noexcept;

  // One turn after select(2): reads once if `readable` (and reading is
  // allowed), then writes what it can.
  void advance(bool readable, std::span<char> scratch, std::size_t max_outbox,
               Clock::time_point now) noexcept;

  // Read interest: not while the outbox is full (backpressure), after EOF,
  // or once the session is closing.
  bool wants_read(std::size_t max_outbox) const noexcept;
  bool wants_write() const noexcept { return !failed_ && !out_.empty(); }

  // True when the connection should be closed now: it failed, was cut off,
  // or has written everything after EOF or its session's close.
  bool finished() const noexcept;
  bool failed() const noexcept { return failed_; }

  // When the idle timeout (no bytes either way) or the read timeout (a
  // partial line or request) ends this connection, whichever is first.
  Clock::time_point deadline(const config::Limits& limits) const noexcept;
  // Whether the read timeout is the one that has passed at `now`.
  bool read_timed_out(const config::Limits& limits, Clock::time_point now) const noexcept;
  // The read timeout passed: lets the session append a last answer and
  // writes what the socket takes now. The reactor closes the connection next.
  void on_read_timeout() noexcept;

  int fd() const noexcept { return fd_.get(); }
  proto::ConnectionId id() const noexcept { return id_; }
  // The peer's "ip:port", for the connection's log lines (log::PeerScope).
  const std::string& peer() const noexcept { return peer_; }

  std::list<Connection>::iterator self;  // in the reactor's list; set by it

 private:
  void session_failed() noexcept;
  void read_once(std::span<char> scratch, Clock::time_point now) noexcept;
  void write_once(Clock::time_point now) noexcept;
  void track_partial(Clock::time_point now) noexcept;

  Reactor& reactor_;
  net::UniqueFd fd_;
  const proto::ConnectionId id_;
  const std::string peer_;
  std::unique_ptr<proto::Session> session_;
  proto::Outbox out_;
  Clock::time_point last_active_;
  std::optional<Clock::time_point> partial_since_;
  bool peer_eof_ = false;
  bool failed_ = false;
};

}  // namespace netcook::model::select_model
