#pragma once

// What a connection is on a reactor thread (epoll, coroutine, select),
// whatever waits for its socket: its core, its socket, its place among
// max_connections, and its membership of the listener's Service. The
// model adds how it waits.
//
// Its bytes go through its transport, made here when the socket is
// adopted: plain, or TLS with the context the listener had then.
//
// Destruction order is the contract: the socket closes first (the peer sees
// the end at once), then the session goes (the core logs how the
// connection ended), then the Service hears that it left, and its place is
// given back last.

#include "event/timer.hpp"
#include "model/accept_gate.hpp"
#include "model/connection_core.hpp"
#include "model/listener_state.hpp"
#include "model/tls_transport.hpp"
#include "model/service_desk.hpp"
#include "model/transport.hpp"
#include "net/unique_fd.hpp"

namespace netcook::model {

class ReactorConnection : public proto::Uplink, public ServiceDesk::Member {
 public:
  // Takes the socket and the slot from `admission` once the session is
  // made (should that throw, the socket is still there to be refused), and
  // joins the Service, if the listener has one.
  ReactorConnection(ServiceDesk& desk, Admission& admission, NewConnection made,
                    Clock::time_point now);
  ReactorConnection(const ReactorConnection&) = delete;
  ReactorConnection& operator=(const ReactorConnection&) = delete;

  // Uplink: a message from this connection's session to the Service.
  void send(std::string_view message) override;

  // For a connection still open when its driver goes: `why` becomes its
  // reason, and what the socket takes at once of its last words is sent.
  void end_now(CloseReason why, Clock::time_point now) noexcept;

  // The model's deadline timer fired. Armed at or before the core's
  // deadline, which activity moves on, it may be early: then it is armed
  // again for the real one and this says false; else the core expires and
  // this says true (the model then serves the connection).
  bool expire_when_due(event::Timer& timer, Clock::time_point now) noexcept;

  ConnectionCore& core() noexcept { return core_; }
  const ConnectionCore& core() const noexcept { return core_; }
  net::Fd socket() const noexcept { return socket_.borrow(); }
  Transport& transport() noexcept {
    if (tls_) return *tls_;
    if (own_plain_ != nullptr) return *own_plain_;
    return plain_;
  }
  const Transport& transport() const noexcept {
    return const_cast<ReactorConnection*>(this)->transport();
  }
  bool secured() const noexcept { return tls_ != nullptr; }

 protected:
  // Says goodbye on the transport (TLS close_notify) while the socket is
  // still open.
  ~ReactorConnection();

  // For a model that moves plain bytes its own way (io_uring): its
  // transport instead of the system calls, until the connection goes.
  void carry_plain_on(Transport& transport) noexcept { own_plain_ = &transport; }

 private:
  // Leaves the Service when destroyed, after the core.
  class Membership {
   public:
    Membership(ServiceDesk& desk, proto::ConnectionId id) noexcept : desk_(desk), id_(id) {}
    Membership(const Membership&) = delete;
    Membership& operator=(const Membership&) = delete;
    ~Membership() { desk_.leave(id_); }
    ServiceDesk& desk() const noexcept { return desk_; }

   private:
    ServiceDesk& desk_;
    const proto::ConnectionId id_;
  };

  // In the order of the contract above, last destroyed first.
  Slot slot_;
  Membership membership_;
  ConnectionCore core_;
  net::UniqueFd socket_;
  // Of socket_, which they do not own: the TLS one when there is one.
  PlainTransport plain_;
  std::unique_ptr<TlsTransport> tls_;
  Transport* own_plain_ = nullptr;  // the model's, when it has one
};

}  // namespace netcook::model
