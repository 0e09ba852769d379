#pragma once

// One client connection on an epoll worker: non-blocking socket registered
// edge-triggered for both directions, its session and its outbox. The
// worker owns connections; a connection never destroys itself.

#include "event/loop.hpp"
#include "net/unique_fd.hpp"
#include "proto/session.hpp"

#include <cstddef>
#include <list>
#include <memory>
#include <span>
#include <string>

namespace netcook::model::epoll {

class Worker;

class Connection final : public event::Watcher, public proto::Uplink {
 public:
  Connection(Worker& worker, net::UniqueFd fd, proto::ConnectionId id);
  ~Connection();

  // Set once, right after construction (the session needs this connection
  // as its Uplink).
  void attach(std::unique_ptr<proto::Session> session) noexcept { session_ = std::move(session); }

  void on_ready(std::uint32_t events) noexcept override;

  // Uplink: a message from this connection's session to the Service.
  void send(std::string_view message) override;

  // Bytes from the Service. Returns false (and marks the connection failed)
  // when they would take the outbox past `max_outbox`.
  bool deliver(std::string_view bytes, std::size_t max_outbox) noexcept;

  // Moves bytes between the socket and the session until the socket would
  // block, the outbox is full, `read_budget` bytes were read, or the
  // outbox's share of one write went out. Returns false when the connection
  // is finished and should be closed.
  bool advance(std::span<char> scratch, std::size_t read_budget, std::size_t max_outbox) noexcept;

  // Greets the peer if the protocol wants to.
  void open() noexcept;

  // The read timeout passed: lets the session append a last answer and
  // writes what the socket takes now. The worker closes the connection next.
  void on_read_timeout() noexcept;

  int fd() const noexcept { return fd_.get(); }
  proto::ConnectionId id() const noexcept { return id_; }
  // The peer's "ip:port", for the connection's log lines (log::PeerScope).
  const std::string& peer() const noexcept { return peer_; }
  bool partial() const noexcept { return session_->partial(); }
  // True when advance() stopped for its read budget with data still to
  // read, or for the outbox's share per write with more to write.
  bool wants_more() const noexcept { return wants_more_; }

  // Book-keeping owned by the worker.
  event::Clock::time_point last_active{};
  event::Clock::time_point partial_since{};
  std::list<Connection>::iterator self;                  // in Worker::connections_
  std::list<Connection*>::iterator partial_position;     // in Worker::partial_
  bool in_partial_list = false;
  bool queued = false;  // in the worker's ready queue

 private:
  void session_failed() noexcept;
  enum class Io { progress, blocked, paused, failed };
  Io write_some() noexcept;
  Io read_some(std::span<char> buffer, std::size_t& budget) noexcept;

  Worker& worker_;
  net::UniqueFd fd_;
  const proto::ConnectionId id_;
  const std::string peer_;
  std::unique_ptr<proto::Session> session_;
  proto::Outbox out_;
  bool readable_ = false;  // edge-triggered readiness not yet consumed
  bool writable_ = true;
  bool peer_eof_ = false;
  bool hung_up_ = false;   // EPOLLRDHUP, EPOLLHUP or EPOLLERR seen
  bool wants_more_ = false;
  bool failed_ = false;
};

}  // namespace netcook::model::epoll
