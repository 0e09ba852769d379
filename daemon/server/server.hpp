#pragma once

// The daemon's control plane, on the main thread's event loop: starts the
// listeners, turns SIGHUP into a reload that keeps unchanged listeners and
// their connections, and SIGTERM/SIGINT into a drain bounded by each
// listener's shutdown_timeout. Listeners serve on their drivers' threads.

#include "config/config.hpp"
#include "event/loop.hpp"
#include "event/signals.hpp"
#include "event/timer.hpp"
#include "metrics/arena.hpp"
#include "server/listener.hpp"
#include "server/logging.hpp"
#include "server/watchdog.hpp"
#include "systemd/activation.hpp"

#include <chrono>
#include <csignal>
#include <cstdint>
#include <initializer_list>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace netcook::server {

class Server {
 public:
  // SIGHUP reloads; SIGTERM and SIGINT stop; SIGUSR2 is the watchdog test
  // hook, active only with $NETCOOKD_DEBUG_STALL=LISTENER:MILLISECONDS (it
  // stalls that listener's loops once, as a stuck thread would).
  static constexpr std::initializer_list<int> kSignals = {SIGTERM, SIGINT, SIGHUP, SIGUSR2};

  // The signals in kSignals must already be blocked (event::block_signals).
  // `environment` (the fork master) outlives the server. With
  // `watchdog_period` (systemd's WatchdogSec), pings the watchdog while
  // every listener's loops turn.
  Server(Logging& logging, model::Environment environment,
         std::optional<config::LogLevel> level_override,
         std::optional<std::chrono::microseconds> watchdog_period = std::nullopt);
  ~Server();

  // Binds and starts every listener; throws with context on failure (then
  // nothing keeps running). `activated` are the sockets systemd passed
  // (socket activation): listeners take them by name or address instead of
  // binding, and the server holds them until it is destroyed, across
  // reloads. A passed socket that no listener takes is an error here.
  void start(config::Config config, systemd::ActivatedSockets activated = {});

  // Serves until shut down; returns the exit status.
  int run();

 private:
  // A listener that no longer accepts, until its connections are gone or
  // its shutdown_timeout passes.
  struct Retired {
    Retired(std::unique_ptr<Listener> l, event::Loop& loop, std::function<void()> expired)
        : listener(std::move(l)), deadline(loop, std::move(expired)) {}
    std::unique_ptr<Listener> listener;
    event::Timer deadline;
  };

  void on_signal(int signal);
  void reload();
  void begin_shutdown();
  void stop_after_farewells();
  std::unique_ptr<Listener> make_listener(const config::Listener& config, Listener::Socket socket);
  Listener::Socket socket_for(const config::Listener& config,
                              const std::vector<Listener::Socket>& taken);
  std::vector<Listener::Socket> activated_for(const config::Config& file, bool starting);
  std::string where(const config::Listener& config) const;
  void renew_tls(Listener& listener, config::Listener wanted);
  static std::string describe_change(const config::Listener& before,
                                     const config::Listener& after);
  void log_started(const Listener& listener);
  // Stops `listener` accepting and lets its connections drain for its
  // shutdown_timeout; announce_drain() says so in its log.
  Retired& retire(std::unique_ptr<Listener> listener, model::CloseReason why);
  static void announce_drain(const Listener& listener);
  void drained(std::uint64_t id);
  void update_status();
  std::string connection_rate(const metrics::Figures& figures);
  void return_free_memory();
  void start_watchdog();
  void stall_for_testing();
  std::size_t open_connections() const;

  Logging& logging_;
  const model::Environment environment_;
  spdlog::logger& log_;
  std::optional<config::LogLevel> level_override_;
  config::Config config_;
  std::uint64_t next_id_ = 1;
  systemd::ActivatedSockets activated_;  // for the daemon's lifetime

  event::Loop loop_;
  event::SignalWatcher signals_;
  event::Timer status_timer_;
  // Connections accepted by then, for the rate in the status line.
  struct RateMark {
    event::Clock::time_point when{};
    std::uint64_t accepted = 0;
    double per_second = 0;
  } rate_;
  event::Timer trim_timer_;
  std::optional<std::chrono::microseconds> watchdog_period_;
  std::optional<Watchdog> watchdog_;
  std::vector<std::unique_ptr<Listener>> listeners_;  // serving
  std::list<Retired> retired_;                        // draining
  bool shutting_down_ = false;
};

}  // namespace netcook::server
