#pragma once

// One client connection and the thread that serves it: a non-blocking
// socket waited on with poll(2) together with the driver's closing eventfd
// and, when the protocol has a Service, the connection's Mailbox. The
// thread owns the connection and destroys it when it ends.

#include "model/thread/deadlines.hpp"
#include "model/thread/mailbox.hpp"
#include "model/thread/shared.hpp"
#include "model/thread/thread_set.hpp"
#include "net/unique_fd.hpp"
#include "proto/session.hpp"

#include <memory>
#include <optional>
#include <span>
#include <string>

namespace netcook::model::thread {

class Connection final : public Job, private proto::Uplink {
 public:
  // `fd` is a connected, non-blocking socket; its slot in shared.count is
  // already taken and is given back when run() ends. `mailbox` is set
  // exactly when the protocol has a Service (the Acceptor makes it before
  // accepting: it needs a descriptor of its own).
  Connection(Shared& shared, net::UniqueFd fd, proto::ConnectionId id,
             std::unique_ptr<Mailbox> mailbox);

  void run() noexcept override;

 private:
  void serve();
  bool turn(std::span<char> buffer);
  bool write_some(Deadlines::Clock::time_point now);
  bool read_some(std::span<char> buffer, Deadlines::Clock::time_point now);
  bool expired(Deadlines::Clock::time_point now);
  void finish() noexcept;

  // Uplink: a message from the session to the listener's Service.
  void send(std::string_view message) override;

  bool may_read() const noexcept;

  Shared& shared_;
  net::UniqueFd fd_;
  const proto::ConnectionId id_;
  const std::string name_;
  const std::string peer_;            // "ip:port"
  std::unique_ptr<Mailbox> mailbox_;  // only when the protocol has a Service
  std::unique_ptr<proto::Session> session_;
  proto::Outbox out_;
  Deadlines deadlines_;
  bool peer_eof_ = false;
};

}  // namespace netcook::model::thread
