#pragma once

// One client connection on an io_uring worker: a ReactorConnection whose
// bytes move in the worker's ring. A plain connection's transport is a
// RingTransport (completions: a multishot receive into provided buffers,
// one send in flight); a TLS connection keeps its TlsTransport (OpenSSL
// reads and writes the socket itself) and the ring tells it when the
// socket is ready (a multishot poll, edge-triggered as epoll's EPOLLET),
// as does a connection while its PROXY header is read (peeked at, and
// taken exactly, from the socket). Either way every completion marks
// `ready` and the worker runs the pump, as the epoll model does on an
// edge, with a timer for the core's deadline and a deferred turn for
// fairness.
//
// The worker owns connections and frees one only when nothing of it is
// in flight in the ring (busy()); a connection never destroys itself.

#include "event/deferred.hpp"
#include "event/readiness.hpp"
#include "event/timer.hpp"
#include "model/io_uring/transport.hpp"
#include "model/reactor_connection.hpp"
#include "uring/ring.hpp"

#include <list>
#include <optional>

namespace netcook::model::io_uring {

class Worker;

class Connection final : public ReactorConnection, private RingTransport::Owner {
 public:
  Connection(Worker& worker, Admission& admission, NewConnection made, Clock::time_point now);
  ~Connection();

  // Member: bytes from the Service; written (or, cut off, the connection
  // closed) on its next turn.
  void deliver(std::string_view bytes) noexcept override;

  event::Readiness ready;
  std::list<Connection>::iterator self;  // in the worker's list
  bool closing = false;                  // closed: freed once not busy()

  event::Timer& deadline() noexcept { return deadline_; }
  void defer_turn() noexcept { turn_.schedule(); }

  // After the pump ran: stops watching readiness once only the ring's
  // completions are needed (the PROXY header of a plain connection read).
  void turn_ended() noexcept;
  // Something of it is in flight in the ring.
  bool busy() const noexcept { return polling_ || (ring_io_ && ring_io_->busy()); }
  // Ends everything in flight (for closing).
  void cancel() noexcept;

 private:
  void completed() noexcept override;  // RingTransport::Owner
  void polled(std::int32_t result, std::uint32_t flags) noexcept;
  bool needs_poll() const noexcept;
  void poll() noexcept;

  Worker& worker_;
  std::optional<RingTransport> ring_io_;  // plain connections
  // The socket's readiness, for TLS and the PROXY header.
  uring::Forwarding<Connection, &Connection::polled> poller_{*this};
  bool polling_ = false;       // a multishot poll is armed
  bool poll_stopping_ = false;  // and its cancel asked for
  event::Timer deadline_;
  event::Deferred turn_;
};

}  // namespace netcook::model::io_uring
