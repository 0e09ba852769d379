#pragma once

// The listener's Service (a chat room) shared by every connection thread:
// called under one mutex, so one thread at a time and each connection's
// messages in order. Deliveries go to the receiver's Mailbox; the Service
// never waits for a socket, and nobody is woken under the mutex: the wakes
// the posts ask for are given once it is released (a woken thread that
// runs at once and wants the mutex for its own message would only wait),
// a sender's by its connection once its round is over (MailboxWakes).
//
// The Service's wake (ServiceContext::wake) is answered by a thread of the
// Hub's, started by the first wake (a Service that never wakes costs no
// thread): the wake sets a flag and rings it (a condition variable), and
// it calls woken() under the same mutex. A wake never runs the Service on
// the caller's thread, so a caller may hold its own locks, and a storm of
// wakes costs a few woken() calls. close() disconnects the wake and joins
// that thread before the Service goes: a late wake does nothing.

#include "model/close_reason.hpp"
#include "model/thread/mailbox.hpp"
#include "model/wake_signal.hpp"
#include "proto/service.hpp"
#include "proto/session.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include <spdlog/logger.h>

namespace netcook::model::thread {

class Hub final : private proto::Courier {
 public:
  // Makes the protocol's Service, if it has one (else the Hub does
  // nothing), with `context` and the Hub's wake. `log` outlives the Hub;
  // `listener` names the thread that answers wakes.
  Hub(const proto::Protocol& protocol, proto::ServiceContext context, spdlog::logger& log,
      std::string listener);
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;
  ~Hub() { close(CloseReason::shutdown); }

  // True when the protocol has a Service (fixed at construction).
  bool present() const noexcept { return present_; }

  // Connection `id` can now receive deliveries in `mailbox` (shared until
  // its leave(), and by wakes still due after it).
  void join(proto::ConnectionId id, std::shared_ptr<Mailbox> mailbox);

  // Connection `from` sends `message`; the mailboxes to wake are added to
  // `wakes`, for the caller to wake once it holds no lock (before it
  // waits). Exceptions from the Service reach the caller (the session of
  // `from`, whose connection then ends).
  void message(proto::ConnectionId from, std::string_view message, MailboxWakes& wakes);

  // Connection `id` ended: no more deliveries, and the Service hears gone()
  // if it had joined (a Service that throws is logged).
  void leave(proto::ConnectionId id) noexcept;

  // Destroys the Service (driver teardown) once it heard that its members
  // leave for `why`: later calls do nothing, so no one is told about
  // connections closed afterwards. The wake is disconnected and its thread
  // joined first. Idempotent.
  void close(CloseReason why) noexcept;

 private:
  class Waking;

  void deliver(proto::ConnectionId to, std::string_view bytes) override;
  // The wake's ring (any thread, the WakeSignal's mutex held): starts the
  // waking thread if need be and hands it the turn.
  void ring();
  void run_waker() noexcept;
  void stop_waker() noexcept;

  spdlog::logger& log_;
  const std::string listener_;
  const std::shared_ptr<WakeSignal> wake_ = WakeSignal::make();
  std::mutex waker_mutex_;
  std::condition_variable waker_cv_;
  bool rung_ = false;        // guarded by waker_mutex_
  bool waker_done_ = false;  // guarded: the thread ends, and none starts
  std::thread waker_;        // guarded
  std::mutex mutex_;
  std::unique_ptr<proto::Service> service_;                              // guarded
  std::unordered_map<proto::ConnectionId, std::shared_ptr<Mailbox>> members_;  // guarded
  MailboxWakes* wakes_ = nullptr;  // guarded: the current call's, while the Service runs
  const bool present_;  // after service_, which it says is there
};

}  // namespace netcook::model::thread
