#pragma once

// One client connection and the thread that serves it: its core, run by a
// poll loop (model/poll_loop.hpp) over the socket and two side channels:
// the driver closing (an eventfd every connection thread polls) and, when
// the protocol has a Service, the connection's Mailbox. The thread owns
// the connection and destroys it when it ends.

#include "model/accept_gate.hpp"
#include "model/poll_loop.hpp"
#include "model/thread/mailbox.hpp"
#include "model/thread/shared.hpp"
#include "model/thread/thread_set.hpp"
#include "net/unique_fd.hpp"

#include <memory>
#include <string>

namespace netcook::model::thread {

class Connection final : public Job, private proto::Uplink, private SideChannel {
 public:
  // Takes the socket and the slot from `admission`. `mailbox` is set
  // exactly when the protocol has a Service (the Acceptor makes it before
  // accepting: it needs a descriptor of its own).
  Connection(Shared& shared, Admission& admission, proto::ConnectionId id,
             std::shared_ptr<Mailbox> mailbox);

  void run() noexcept override;

 private:
  void serve(NewConnection made);

  // Uplink: a message from the session to the listener's Service.
  void send(std::string_view message) override;

  // SideChannel: the driver closing. Watched after every round, before the
  // wait: the receivers of the round's messages are woken there.
  pollfd watch(ConnectionCore& core, Clock::time_point now) noexcept override;
  void ready(short revents, ConnectionCore& core, Clock::time_point now) noexcept override;

  Shared& shared_;
  Slot slot_;  // given back last
  net::UniqueFd socket_;
  const proto::ConnectionId id_;
  const std::string name_;
  std::string peer_;                  // "ip:port", once known
  std::shared_ptr<Mailbox> mailbox_;  // only when the protocol has a Service
  // Receivers of this round's messages to wake: once per round, not per
  // line, and never under the Hub's mutex.
  MailboxWakes wakes_;
};

}  // namespace netcook::model::thread
