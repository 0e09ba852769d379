#pragma once

// One client connection of the coroutine model, and the coroutine that
// serves it. The Connection is a local of that coroutine, so it lives in the
// coroutine's frame: making it registers the socket with the worker's loop
// (once, edge-triggered both ways) and, with a Service, makes it reachable
// by id; destroying it — when the coroutine ends, or when the worker
// destroys the suspended frame at teardown — unregisters and closes the
// socket, tells the Service it left, and frees its slot.

#include "co/fd_events.hpp"
#include "co/task.hpp"
#include "model/coroutine/slot.hpp"
#include "net/unique_fd.hpp"
#include "proto/session.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace netcook::model::coroutine {

class Worker;

// Serves one accepted connection until it ends; never throws (a session's
// exception ends the connection and is logged).
co::Task<void> serve(Worker& worker, net::UniqueFd fd, Slot slot, proto::ConnectionId id);

class Connection final : public proto::Uplink {
 public:
  // Makes the session; throws what the protocol or epoll_ctl throws.
  Connection(Worker& worker, net::UniqueFd fd, Slot slot, proto::ConnectionId id);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Uplink: a message from this connection's session to the Service.
  void send(std::string_view message) override;

  // Bytes from the Service. Beyond `max_outbox` the connection is cut off
  // instead: it ends on its next turn. Either way its coroutine is woken.
  void deliver(std::string_view bytes, std::size_t max_outbox) noexcept;

  // The session's side; these throw what the session throws.
  void open();
  void received(std::string_view data);
  void peer_closed();

  // Writes the outbox to the socket as far as it takes it now (see
  // proto::Outbox::send_to); on EAGAIN the write edge is used up.
  proto::SendResult write() noexcept;

  // The read timeout passed: the session may append a last answer, which
  // goes out as far as the socket takes it at once. Throws what the session
  // throws. The coroutine ends the connection next.
  void read_timed_out();
  // Whether the deadline that passed is the read timeout's.
  bool read_timeout_first() const noexcept { return deadline() < idle_deadline(); }

  co::FdEvents& events() noexcept { return events_; }
  const proto::Outbox& outbox() const noexcept { return out_; }
  // Nothing left to do: the outbox is empty and the peer or the session is
  // done.
  bool finished() const noexcept { return out_.empty() && (peer_eof_ || session_->closing()); }
  bool cut_off() const noexcept { return cut_off_; }
  // More input is wanted and there is room for its answer (backpressure:
  // nothing is read while the outbox holds max_outbox bytes).
  bool may_read() const noexcept;
  // When the current wait gives up: the idle timeout, or the read timeout
  // while a line or request is incomplete, whichever comes first.
  co::Deadline deadline() const noexcept;
  // The idle timeout alone: no byte moved either way since.
  co::Deadline idle_deadline() const noexcept;

  proto::ConnectionId id() const noexcept { return id_; }
  int fd() const noexcept { return fd_.get(); }
  // The peer's "ip:port", for the connection's log lines (log::PeerScope,
  // never held across a co_await).
  const std::string& peer() const noexcept { return peer_; }

 private:
  void track_partial() noexcept;

  Worker& worker_;
  Slot slot_;         // freed last, once the socket is closed
  net::UniqueFd fd_;  // closed after events_ has unregistered it
  co::FdEvents events_;
  const proto::ConnectionId id_;
  const std::string peer_;
  std::unique_ptr<proto::Session> session_;
  proto::Outbox out_;
  co::Deadline last_active_;
  co::Deadline partial_since_{};
  bool partial_ = false;
  bool peer_eof_ = false;
  bool cut_off_ = false;
  bool joined_ = false;  // reachable by id (with a Service)
};

}  // namespace netcook::model::coroutine
