#pragma once

// The fork master's main loop: one thread, one event::Loop. It reads
// requests from the main process on the control socket, keeps the fork
// model's listeners (fork_listener.hpp), reaps every connection process
// through signalfd(SIGCHLD) and reports connection counts and drains back.
// Its end of the control socket is registered for reading, and for writing
// while replies wait for room.

#include "event/loop.hpp"
#include "event/registration.hpp"
#include "event/signals.hpp"
#include "model/fork/control_message.hpp"
#include "model/fork/fork_listener.hpp"
#include "model/fork/master.hpp"
#include "net/packet_queue.hpp"
#include "net/unique_fd.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

namespace netcook::model::fork {

class MasterProcess final : public event::Watcher, private ListenerHost {
 public:
  // `control` is the master's end of the control socket.
  // The loop beats `heartbeat` (shared with the main process).
  MasterProcess(net::UniqueFd control, metrics::Arena& arena, ProtocolFactory protocols,
                LoggerFactory loggers,
                event::Heartbeat& heartbeat);
  MasterProcess(const MasterProcess&) = delete;
  MasterProcess& operator=(const MasterProcess&) = delete;
  ~MasterProcess();

  // Serves until the main process asks for shutdown or goes away.
  void run();

  // The control socket is ready.
  void on_ready(std::uint32_t events) noexcept override;

 private:
  void read_control() noexcept;
  void handle(const ControlMessage& message, net::UniqueFd fd) noexcept;
  void start_listener(const ControlMessage& message, net::UniqueFd fd);
  void stop_listener(std::uint64_t listener, std::uint64_t request);
  void set_log_level(int level) noexcept;
  void shut_down(std::optional<std::uint64_t> request) noexcept;
  void shut_down_when_empty() noexcept;
  void reap() noexcept;
  void reply(const ControlMessage& message) noexcept;
  void ack(std::uint64_t request, std::string error = {}) noexcept;
  void watch_control() noexcept;
  void forget_control() noexcept;
  void flush_counts() noexcept;

  // ListenerHost
  void child_started(pid_t pid, std::uint64_t listener) override;
  void connections_changed(std::uint64_t listener) noexcept override;
  void drained(std::uint64_t listener) noexcept override;

  net::UniqueFd control_;
  metrics::Arena& arena_;
  ProtocolFactory protocols_;
  LoggerFactory loggers_;
  std::shared_ptr<spdlog::logger> log_;
  event::Loop loop_;
  event::SignalWatcher sigchld_;
  net::PacketQueue replies_;
  event::Registration control_watch_;

  std::map<std::uint64_t, std::unique_ptr<ForkListener>> listeners_;
  std::unordered_map<pid_t, std::uint64_t> children_;  // every live process -> listener
  std::set<std::uint64_t> counts_changed_;  // not yet reported to the main process
  bool counts_flush_posted_ = false;
  bool shutting_down_ = false;
  std::optional<std::uint64_t> shutdown_request_;
  std::vector<char> buffer_;
};

}  // namespace netcook::model::fork
