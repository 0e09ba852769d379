#pragma once

// The thread that accepts connections for a thread-model driver, through
// the accept gate, and starts a thread for each. It polls the listening
// socket and a stop eventfd, so stop() returns promptly and, once it has,
// nothing calls accept() on the listening socket again.

#include "event/event_fd.hpp"
#include "event/heartbeat.hpp"
#include "model/accept_gate.hpp"
#include "model/thread/mailbox.hpp"
#include "model/thread/shared.hpp"

#include <cstdint>
#include <memory>
#include <thread>

namespace netcook::model::thread {

class Acceptor final : private AcceptGate::Host {
 public:
  explicit Acceptor(Shared& shared) : shared_(shared) {}
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;
  ~Acceptor() { stop(); }

  // Starts the thread; once only.
  void start();

  // Synchronous: returns once the thread has ended. Idempotent.
  void stop() noexcept;

  // Beaten on every turn of the accept loop, at least once per
  // Heartbeat::interval().
  event::Heartbeat& heartbeat() noexcept { return heartbeat_; }

 private:
  void run() noexcept;
  // Makes the next connection's Mailbox, if the protocol has a Service.
  int provision() noexcept override;
  // Starts the connection's thread.
  void admit(Admission& admission) override;

  Shared& shared_;
  event::EventFd stop_;
  std::thread thread_;
  std::uint64_t next_id_ = 1;  // names the thread, "<listener>#<id>"
  // The next connection's Mailbox, made before accepting it: out of
  // descriptors, a client then waits in the backlog instead of being
  // accepted and dropped for want of the Mailbox's eventfd.
  std::shared_ptr<Mailbox> spare_mailbox_;
  event::Heartbeat heartbeat_;
};

}  // namespace netcook::model::thread
