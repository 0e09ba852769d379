#pragma once

// The thread that accepts connections for a thread-model driver and starts
// a thread for each. It polls the listening socket and a stop eventfd, so
// stop() returns promptly and, once it has, nothing calls accept() on the
// listening socket again. When accept() fails for lack of descriptors,
// memory or threads, it stops watching the socket for a while (50 ms,
// doubling to 1 s) instead of spinning, and logs once per burst.

#include "model/burst_log.hpp"
#include "model/thread/mailbox.hpp"
#include "model/thread/shared.hpp"
#include "event/heartbeat.hpp"
#include "model/thread/wakeup.hpp"
#include "net/unique_fd.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>

namespace netcook::model::thread {

class Acceptor {
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
  using Clock = std::chrono::steady_clock;

  void run() noexcept;
  void accept_some();
  void failed(int error, Clock::time_point now);
  void back_off(Clock::time_point now);
  // Makes spare_mailbox_ if the protocol has a Service and there is none
  // yet; false (after failed()) when it cannot.
  bool ready_mailbox(Clock::time_point now);
  void serve(net::UniqueFd fd, Clock::time_point now);

  Shared& shared_;
  Wakeup stop_;
  std::thread thread_;
  std::uint64_t next_id_ = 1;  // names the thread, "<listener>#<id>"
  // The next connection's Mailbox, made before accepting it: out of
  // descriptors, a client then waits in the backlog instead of being
  // accepted and dropped for want of the Mailbox's eventfd.
  std::unique_ptr<Mailbox> spare_mailbox_;
  Clock::time_point resume_at_{};     // not accepting before this
  Clock::duration backoff_{};         // the current pause; zero when not backing off
  event::Heartbeat heartbeat_;
  BurstLog accept_errors_{"accept failed"};
  BurstLog thread_errors_{"cannot start a connection thread"};
  BurstLog refusals_{"max_connections reached; refusing connections"};
};

}  // namespace netcook::model::thread
