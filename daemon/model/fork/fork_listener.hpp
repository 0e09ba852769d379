#pragma once

// One fork-model listener inside the fork master: accepts on its copy of
// the listening socket through the accept gate, forks a connection process
// per connection (at most max_connections alive), hosts the listener's
// Service (hub.hpp), and ends its processes on stop: SIGTERM with the close
// reason as its value (sigqueue(3)), which the process's poll loop takes as
// a side channel, then SIGKILL for any still there after a grace period.
// Processes are reaped by the master (SIGCHLD through signalfd), which
// hands each exit to the listener that forked it.

#include "config/config.hpp"
#include "event/deferred.hpp"
#include "event/loop.hpp"
#include "event/registration.hpp"
#include "event/timer.hpp"
#include "model/accept_gate.hpp"
#include "model/connection_count.hpp"
#include "model/fork/hub.hpp"
#include "model/fork/master.hpp"
#include "model/tls_setup.hpp"
#include "net/unique_fd.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace netcook::model::fork {

// What a listener tells the master about.
class ListenerHost {
 public:
  virtual void child_started(pid_t pid, std::uint64_t listener) = 0;
  virtual void connections_changed(std::uint64_t listener) noexcept = 0;
  virtual void drained(std::uint64_t listener) noexcept = 0;

 protected:
  ~ListenerHost() = default;
};

struct ListenerSetup {
  std::uint64_t id = 0;  // the main process's name for the listener
  std::string name;
  config::Limits limits;
  int log_level = 0;  // spdlog::level::level_enum, for the connection processes
  proto::Protocol protocol;
  log::ListenerFields log_fields;  // for the loggers of the connection processes
  std::shared_ptr<spdlog::logger> log;
  metrics::ListenerMetrics metrics;  // in the arena the master shares
  // A TLS listener's context, loaded in the master (renewed by a reload);
  // null for a plain listener.
  std::shared_ptr<TlsSlot> tls;
};

class ForkListener final : private event::Watcher, private AcceptGate::Host {
 public:
  // `listen_fd` is the master's own copy of the listening socket.
  ForkListener(event::Loop& loop, ListenerHost& host, const LoggerFactory& loggers,
               ListenerSetup setup, net::UniqueFd listen_fd);
  ForkListener(const ForkListener&) = delete;
  ForkListener& operator=(const ForkListener&) = delete;
  ~ForkListener();

  void start();

  // Stops watching and closes the master's copy of the listening socket
  // (so a socket the main process closes really closes). Reports drained
  // once no connection process is left. `why` is the reason the processes
  // stop() ends will close their connections with.
  void stop_accepting(CloseReason why) noexcept;

  // A reload renewed the listener's TLS setup: the connection processes
  // forked from now on take it.
  void renew_tls(TlsSetup setup);

  // The listener's log level (spdlog::level::level_enum), here and in the
  // connection processes forked from now on.
  void set_log_level(int level) noexcept;

  // Ends the listener: the Service goes, every connection process gets
  // SIGTERM, those left after a grace period SIGKILL. Calls `done` once all
  // are reaped, or after a bound even if some are not (they are reaped
  // later and then ignored).
  void stop(std::function<void()> done);

  // The master reaped one of this listener's processes.
  void child_exited(pid_t pid, int status) noexcept;

  std::uint64_t id() const noexcept { return setup_.id; }
  std::size_t connections() const noexcept { return children_.size(); }

 private:
  // A connection process, alive or not yet reaped.
  struct Child {
    proto::ConnectionId id;
    Slot slot;
    SourceHold source;  // a proxied peer's, once vetted (vetting_link.hpp)
  };

  // The link a proxied connection's process asks its one question on.
  class VettingLink final : public event::Watcher {
   public:
    VettingLink(ForkListener& owner, pid_t pid, net::UniqueFd fd);
    net::Fd fd() const noexcept { return fd_.borrow(); }
    void stop_watching() noexcept { registration_.cancel(); }

   private:
    void on_ready(std::uint32_t events) noexcept override;

    ForkListener& owner_;
    const pid_t pid_;
    const net::UniqueFd fd_;
    event::Registration registration_;
  };

  // The child `pid` asked (or reported) on its vetting link.
  void vetting_asked(pid_t pid) noexcept;
  // Unlinks pid's vetting link, freed on the loop's next turn: an event of
  // this turn may still name it (as Hub::remove does with its links).
  void retire_vetting_link(pid_t pid) noexcept;

  // The listening socket is readable.
  void on_ready(std::uint32_t events) noexcept override;
  // Makes spare_link_ if the listener has a hub and there is none yet.
  int provision() noexcept override;
  // Forks the connection's process.
  void admit(Admission& admission) override;
  void accept() noexcept;
  void resume_accepting() noexcept;
  void end(pid_t pid, CloseReason why) noexcept;
  void cut_off(proto::ConnectionId id) noexcept;
  void close_listening() noexcept;
  void escalate_stop() noexcept;
  void finish_stop() noexcept;
  void log_exit(pid_t pid, int status) noexcept;

  event::Loop& loop_;
  ListenerHost& host_;
  const LoggerFactory& loggers_;
  ListenerSetup setup_;
  spdlog::logger& log_;
  net::UniqueFd listen_fd_;
  event::Registration listening_;  // cancelled before listen_fd_ closes
  const pid_t master_;
  std::unordered_map<pid_t, std::unique_ptr<VettingLink>> vetting_links_;
  std::vector<std::unique_ptr<VettingLink>> retired_links_;
  ConnectionCount count_;
  SourceGuard sources_;
  AcceptGate gate_;
  std::unique_ptr<Hub> hub_;  // only when the protocol has a Service
  // The hub link for the next connection (our end, the child's end), made
  // before accepting it: out of descriptors, a client then waits in the
  // backlog instead of being accepted and refused for want of a link.
  std::optional<std::pair<net::UniqueFd, net::UniqueFd>> spare_link_;
  bool accepting_ = false;
  bool stopping_ = false;
  bool killed_ = false;  // stop() escalated to SIGKILL
  CloseReason end_reason_ = CloseReason::shutdown;
  std::function<void()> stopped_;
  proto::ConnectionId next_id_ = 1;

  std::unordered_map<pid_t, Child> children_;
  std::unordered_map<proto::ConnectionId, pid_t> pids_;
  std::unordered_set<pid_t> ended_on_purpose_;  // signalled by us: no warning

  event::Timer accept_pause_;
  event::Timer stop_deadline_;
  event::Deferred free_retired_links_;
};

}  // namespace netcook::model::fork
