#pragma once

// The fork master: a single-threaded process, forked from the main process
// at start-up before any thread exists, that owns the fork model's
// listeners. Forking a connection process from a process with threads is
// unsafe (a lock another thread held at fork time stays locked in the
// child), so every connection process is forked from there instead.
//
// A Master is the main process's handle on it, handed to the drivers
// through model::Environment: fork drivers are proxies that send the
// master the listener's validated settings, its limits and its listening
// socket (SCM_RIGHTS). The master makes the Protocol from the settings with
// the ProtocolFactory, runs the listener's Service (chat room) itself and
// relays it to the connection processes (master_process.hpp).
//
// Requests go out on the control socket from any thread and wait for the
// master's ack; a reader thread, started with the first request (the main
// process may have threads by then; only the master must have none), takes
// the master's acks, connection counts and drain reports.

#include "config/config.hpp"
#include "event/heartbeat.hpp"
#include "log/fields.hpp"
#include "metrics/arena.hpp"
#include "model/fork/control_message.hpp"
#include "net/fd.hpp"
#include "net/unique_fd.hpp"
#include "proto/session.hpp"

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

// Makes a listener's Protocol from its validated settings, inside the
// master, whose loop is `home` (a shared chat room's link to its bus runs
// on it). Throws (with a message for the log) when it cannot.
using ProtocolFactory =
    std::function<proto::Protocol(const config::Listener& listener, event::Loop& home)>;

// Makes a logger for a process of the fork model: the master (named
// "fork-master", no fields), each of its listeners and each connection
// process after fork (named after the listener, with the listener's
// fields: MODEL=fork). Called in the process that will use it, after that
// process closed the descriptors it inherited; it must not start threads
// (no async loggers) because the master forks.
using LoggerFactory = std::function<std::shared_ptr<spdlog::logger>(
    const std::string& name, const log::ListenerFields& fields)>;

class Master {
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

  // Forks the master. Must be called while the process is single-threaded
  // (main() calls it before any thread exists); throws std::logic_error
  // otherwise, or std::system_error when fork fails. The master exits when
  // the main process dies (PR_SET_PDEATHSIG, and the end of its control
  // socket) or when this handle is destroyed; it never returns into the
  // caller's stack and runs no static destructors.
  // Listeners count into `arena`, mapped before this is called.
  static std::unique_ptr<Master> start(metrics::Arena& arena, ProtocolFactory protocols,
                                       LoggerFactory loggers);

  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;
  // Asks the master to end every connection process and exit, and waits for
  // it (bounded: a master that does not exit in a few seconds is killed).
  ~Master();

  // False once the master is gone (it died, or is stopping).
  bool running() const noexcept;
  pid_t pid() const noexcept { return pid_.load(); }
  // The heartbeat of the master's loop, in memory shared with the master:
  // the fork listeners are alive while it beats.
  event::Heartbeat& heartbeat() noexcept { return *heartbeat_; }

  // The log level (spdlog::level::level_enum) of the master, its listeners
  // and the connection processes they fork from now on. Returns an error
  // message, empty on success.
  std::string set_log_level(int level) noexcept;

  // Registers a listener; the returned id names it in requests.
  std::uint64_t add(std::shared_ptr<Listener> listener);
  // After this returns, no callback of the listener runs (or is running).
  void remove(std::uint64_t id) noexcept;

  // Sends `message` (with `fd` attached when valid) and waits for the
  // master's answer: its error text, empty on success. Throws
  // std::runtime_error when the master is gone or does not answer within
  // `timeout`.
  std::string request(ControlMessage message, net::Fd fd, std::chrono::milliseconds timeout);

 private:
  Master(pid_t pid, net::UniqueFd control, event::Heartbeat& heartbeat);

  void stop() noexcept;
  void start_reader();  // with mutex_ held
  void read_loop() noexcept;
  void dispatch(const ControlMessage& message) noexcept;
  void lost() noexcept;
  // Waits for the master to exit, after sending it `signal` if not 0.
  bool reap(std::chrono::milliseconds timeout, int signal = 0) noexcept;

  std::atomic<pid_t> pid_;
  net::UniqueFd control_;
  event::Heartbeat* heartbeat_;  // in a MAP_SHARED page, never unmapped

  mutable std::mutex mutex_;  // guards the members below
  std::condition_variable answered_;
  bool connected_ = true;  // false once the master's end closed
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
