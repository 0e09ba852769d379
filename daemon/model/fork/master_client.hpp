#pragma once

// The main process's one handle to the fork master (process-wide, because
// make_driver() has no other way to reach the master). Requests go out on
// the control socket from any thread and wait for the master's ack; a
// reader thread, started with the first request (the main process may have
// threads by then; only the master must have none), takes the master's
// acks, connection counts and drain reports.

#include "model/fork/control_message.hpp"
#include "net/unique_fd.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <spdlog/logger.h>
#include <sys/types.h>

namespace netcook::model::fork {

class MasterClient {
 public:
  // What the master reports about one listener, shared with its driver.
  // on_drained runs on the reader thread: it must not wait for the master
  // (no request from inside it), or it waits for itself.
  struct Listener {
    std::atomic<std::size_t> connections{0};
    std::atomic<bool> draining{false};
    std::function<void()> on_drained;
    std::shared_ptr<spdlog::logger> log;
  };

  static MasterClient& instance();

  MasterClient(const MasterClient&) = delete;
  MasterClient& operator=(const MasterClient&) = delete;
  ~MasterClient();

  // The master was just forked; `control` is the main process's end.
  void attach(pid_t master, net::UniqueFd control);

  bool running() const noexcept;
  pid_t pid() const noexcept { return pid_.load(); }

  // Registers a listener; the returned id names it in requests.
  std::uint64_t add(std::shared_ptr<Listener> listener);
  // After this returns, no callback of the listener runs (or is running).
  void remove(std::uint64_t id) noexcept;

  // Sends `message` (with `fd` attached when >= 0) and waits for the
  // master's answer: its error text, empty on success. Throws
  // std::runtime_error when the master is gone or does not answer within
  // `timeout`.
  std::string request(ControlMessage message, int fd, std::chrono::milliseconds timeout);

  // Asks the master to exit and reaps it (bounded; then SIGKILL).
  void stop() noexcept;

 private:
  MasterClient() = default;

  void start_reader();  // with mutex_ held
  void read_loop() noexcept;
  void dispatch(const ControlMessage& message) noexcept;
  void lost() noexcept;
  // Waits for the master to exit, after sending it `signal` if not 0.
  bool reap(std::chrono::milliseconds timeout, int signal = 0) noexcept;

  std::atomic<pid_t> pid_{0};
  net::UniqueFd control_;

  mutable std::mutex mutex_;  // guards the members below
  std::condition_variable answered_;
  bool connected_ = false;  // false once the master's end closed
  bool stopping_ = false;
  std::thread reader_;
  std::uint64_t next_request_ = 1;
  std::uint64_t next_listener_ = 1;
  std::map<std::uint64_t, std::optional<std::string>> answers_;  // by request
  std::map<std::uint64_t, std::shared_ptr<Listener>> listeners_;

  std::mutex send_mutex_;       // one request on the socket at a time
  std::mutex callbacks_mutex_;  // held while a listener's callback runs
  std::mutex reap_mutex_;
};

}  // namespace netcook::model::fork
