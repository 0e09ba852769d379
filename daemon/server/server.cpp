#include "server/server.hpp"

#include "config/units.hpp"

#include "config/listener_changes.hpp"
#include "config/loader.hpp"
#include "log/nested.hpp"
#include "metrics/chat_bus.hpp"
#include "net/socket.hpp"
#include "bus/redis_room.hpp"
#include "server/listener_model.hpp"
#include "server/listener_tls.hpp"
#include "server/protocols.hpp"
#include "systemd/notify.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <stdexcept>

#include <fmt/chrono.h>
#include <malloc.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace netcook::server {
namespace {

constexpr auto kStatusInterval = std::chrono::seconds(5);
constexpr auto kTrimInterval = std::chrono::seconds(10);
// Beyond the drain's deadline, for closing what is left and exiting.
constexpr auto kStopMargin = std::chrono::seconds(5);

std::string describe(const config::Listener& listener, const std::string& address, bool activated) {
  return fmt::format("listener {}: {}/{} on {}{}", listener.name,
                     config::to_string(listener.protocol), config::to_string(listener.model),
                     address, activated ? " (socket-activated)" : "");
}

// Whether `wanted` can take over the socket of `running` across a reload.
bool same_socket(const Listener& running, const config::Listener& wanted) {
  const net::Address& have = running.config().listen;
  if (have == wanted.listen) {
    // Port 0 asks for a fresh ephemeral port: only the same listener keeps it.
    return have.port != 0 || have.kind == net::Address::Kind::unix_path ||
           running.config().name == wanted.name;
  }
  // A port first picked by the kernel (port 0), now written down.
  if (wanted.listen.port == 0 || have.port != 0) return false;
  const std::string bound = running.bound_address();
  return bound == wanted.listen.to_string() ||
         (wanted.listen.kind == net::Address::Kind::any && have.kind == wanted.listen.kind &&
          bound == fmt::format("[::]:{}", wanted.listen.port));
}

// The drivers' environment with the server's loop as the home of shared
// chat rooms' links (only its address is taken: the loop is made after).
model::Environment with_home(model::Environment environment, event::Loop& loop) {
  environment.home = &loop;
  return environment;
}

}  // namespace

Server::Server(Logging& logging, model::Environment environment,
               std::optional<config::LogLevel> level_override,
               std::optional<std::chrono::microseconds> watchdog_period)
    : logging_(logging),
      environment_(with_home(environment, loop_)),
      log_(logging.main()),
      level_override_(level_override),
      signals_(loop_, kSignals, [this](int signal) { on_signal(signal); }),
      status_timer_(loop_, [this] { update_status(); }),
      trim_timer_(loop_, [this] { return_free_memory(); }),
      watchdog_period_(watchdog_period) {}

// Listeners go before the loop their drained() notifications are posted to.
Server::~Server() {
  listeners_.clear();
  retired_.clear();
}

void Server::start(config::Config config, systemd::ActivatedSockets activated) {
  config_ = std::move(config);
  activated_ = std::move(activated);
  if (!activated_.empty()) {
    std::string list;
    for (const auto& entry : activated_.entries())
      list += fmt::format("{}{}", list.empty() ? "" : ", ", systemd::describe(entry.passed));
    log_.info("socket activation: systemd passed {} socket(s): {}", activated_.entries().size(),
              list);
  }
  const auto activated_sockets = activated_for(config_, true);
  for (std::size_t i = 0; i < config_.listeners.size(); ++i) {
    const auto& listener = config_.listeners[i];
    auto socket = activated_sockets[i] ? activated_sockets[i] : socket_for(listener, {});
    listeners_.push_back(make_listener(listener, std::move(socket)));
  }
  for (auto& listener : listeners_) {
    listener->start();
    log_started(*listener);
  }
  log_.info("ready: {} listeners", listeners_.size());
  update_status();
  systemd::notify_ready();
  start_watchdog();
  trim_timer_.arm_after(kTrimInterval);
}

void Server::start_watchdog() {
  if (!watchdog_period_) return;
  // Serving listeners only: a retired one's loops may end before it drains.
  auto census = [this] {
    std::vector<Watchdog::Beating> beating;
    for (const auto& listener : listeners_)
      beating.push_back({listener->config().name, listener->heartbeats()});
    return beating;
  };
  watchdog_.emplace(loop_, *watchdog_period_, std::move(census), log_);
}

// The watchdog test hook: $NETCOOKD_DEBUG_STALL=LISTENER:MILLISECONDS.
void Server::stall_for_testing() {
  const char* spec = std::getenv("NETCOOKD_DEBUG_STALL");
  const std::string_view text = spec != nullptr ? spec : "";
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    log_.info("SIGUSR2 ignored: no test hook is set");
    return;
  }
  const std::string name(text.substr(0, colon));
  const auto length = std::chrono::milliseconds(std::atol(std::string(text.substr(colon + 1)).c_str()));
  for (const auto& listener : listeners_) {
    if (listener->config().name != name) continue;
    log_.warn("test hook: stalling listener {}'s loops for {}", name, length);
    for (event::Heartbeat* heartbeat : listener->heartbeats()) heartbeat->stall_for_testing(length);
    return;
  }
  log_.warn("test hook: no listener named {}", name);
}

int Server::run() {
  loop_.run();
  log_.info("stopped");
  return 0;
}

void Server::on_signal(int signal) {
  log_.info("SIG{} received", sigabbrev_np(signal));
  try {
    if (signal == SIGHUP)
      reload();
    else if (signal == SIGUSR2)
      stall_for_testing();
    else
      begin_shutdown();
  } catch (const std::exception& e) {
    log_.error("{}", log::explain(e));
  }
}

std::unique_ptr<Listener> Server::make_listener(const config::Listener& config,
                                                Listener::Socket socket) {
  const std::uint64_t id = next_id_++;
  model::DriverSettings settings;
  settings.listener = config;
  settings.limits = driver_limits(config);
  settings.log = logging_.for_listener(config);
  settings.on_drained = [this, id] { loop_.post([this, id] { drained(id); }); };
  // Worded at the model's value, not the listener's.
  if (std::string why = model_unavailable(config_.path, config); !why.empty())
    throw std::runtime_error(why);
  if (config.tls) {
    // Worded by load_listener_tls() at the tls key, not the listener's.
    LoadedTls tls = load_listener_tls(config_.path, config, std::chrono::system_clock::now());
    if (tls.warning) settings.log->warn("{}", *tls.warning);
    settings.tls = std::make_shared<model::TlsSlot>(std::move(tls.setup));
  }
  try {
    return std::make_unique<Listener>(id, config, std::move(socket), std::move(settings),
                                      environment_);
  } catch (const std::exception&) {
    std::throw_with_nested(std::runtime_error(where(config)));
  }
}

// Through the listener's own logger, so the journal line has its fields.
void Server::log_started(const Listener& listener) {
  listener.log().info("{}", describe(listener.config(), listener.bound_address(),
                           activated_.holds(listener.socket())));
}

// Per listener of `file` (same order): the socket systemd passed that it
// takes, or null when it binds its own (see systemd/activation_match.hpp).
// Throws when these sockets cannot serve `file`; when `starting`, also when
// one of them matches no listener. On a reload such a socket stays in the
// pool, not accepted on, and a warning says so: closing our copy would not
// stop systemd listening, and a later reload may give it out again.
std::vector<Listener::Socket> Server::activated_for(const config::Config& file, bool starting) {
  std::vector<Listener::Socket> sockets(file.listeners.size());
  if (activated_.empty()) return sockets;
  std::vector<systemd::WantedListener> wanted;
  for (const auto& listener : file.listeners) wanted.push_back({listener.name, listener.listen});
  const auto matching = systemd::match_sockets(wanted, activated_.passed());
  for (const auto& warning : matching.warnings) log_.warn("{}", warning);
  std::vector<std::string> problems = matching.errors;
  for (const std::size_t index : matching.unmatched) {
    const std::string socket = systemd::describe(activated_.entries()[index].passed);
    if (starting)
      problems.push_back(fmt::format(
          "systemd passed {}, which matches no listener by name or address; not starting "
          "without it, since systemd keeps listening there and its clients would wait for ever "
          "(add a listener named after it, or stop its socket unit)",
          socket));
    else
      log_.warn(
          "{} is no listener's now: netcookd holds it without accepting, and its socket "
          "unit still listens (stop the unit to free the address)",
          socket);
  }
  if (!problems.empty()) {
    for (const auto& problem : problems) log_.error("{}", problem);
    throw std::runtime_error(fmt::format("{}: {} problem(s) with the sockets systemd passed",
                                         file.path, problems.size()));
  }
  for (std::size_t i = 0; i < sockets.size(); ++i)
    if (const auto& index = matching.socket_of[i]) sockets[i] = activated_.entries()[*index].socket;
  return sockets;
}

// A running listener's socket when one fits (so a restarted or renamed
// listener keeps accepting without a gap), else a new one. Never a socket
// systemd passed: those go only where activated_for() says. Never one in
// `taken` either: the socket of a listener that stays, or one another new
// listener already has; two listeners never share a socket.
Listener::Socket Server::socket_for(const config::Listener& config,
                                    const std::vector<Listener::Socket>& taken) {
  for (const auto& running : listeners_)
    if (running->socket() && !activated_.holds(running->socket()) &&
        std::find(taken.begin(), taken.end(), running->socket()) == taken.end() &&
        same_socket(*running, config))
      return running->socket();
  try {
    return net::share_listening(net::listen_on(config.listen), config.listen);
  } catch (const std::exception&) {
    std::throw_with_nested(std::runtime_error(where(config)));
  }
}

// What a reload changes in a listener it restarts: its settings, or (the
// settings the same) the socket systemd passes for it.
std::string Server::describe_change(const config::Listener& before,
                                    const config::Listener& after) {
  const auto changes = config::listener_changes(before, after);
  if (changes.empty()) return "its socket from systemd changed";
  return fmt::format("{}", fmt::join(changes, "; "));
}

// "FILE:LINE:COLUMN: listener NAME", for a failure about one listener.
std::string Server::where(const config::Listener& config) const {
  return fmt::format("{}:{}:{}: listener {}", config_.path, config.mark.line, config.mark.column,
                     config.name);
}

void Server::reload() {
  systemd::notify_reloading();
  log_.info("reload: reading {}", config_.path);
  auto result = config::load_config(config_.path);
  if (!result.config) {
    for (const auto& error : result.errors) log_.error("{}", error.to_string());
    log_.error("reload failed: {} error(s) in {}; keeping the running configuration",
               result.errors.size(), config_.path);
    if (environment_.arena != nullptr) environment_.arena->reloaded(false);
    systemd::notify_ready();
    return;
  }
  config::Config next = std::move(*result.config);

  // Build everything that is new before touching what runs, so a failure
  // (a port taken by another process) leaves the old configuration intact.
  std::vector<std::unique_ptr<Listener>> fresh;
  std::vector<std::unique_ptr<Listener>> kept;
  std::vector<bool> unchanged(listeners_.size(), false);
  // The kept TLS listeners' sections, read anew (by index in listeners_).
  std::vector<std::optional<config::Listener>> renewed_tls(listeners_.size());
  try {
    const auto activated_sockets = activated_for(next, false);
    // The unchanged listeners first: their sockets stay theirs, so a new
    // listener written on the port one of them got for port 0 fails to
    // bind (and the reload with it) instead of sharing its socket.
    std::vector<bool> stays(next.listeners.size(), false);
    std::vector<Listener::Socket> taken;
    for (std::size_t i = 0; i < next.listeners.size(); ++i) {
      const auto& wanted = next.listeners[i];
      const auto& activated = activated_sockets[i];
      // Unchanged only if it also keeps the same kind of socket: the one
      // systemd passed for it, or (none passed) its own.
      const auto old = std::find_if(listeners_.begin(), listeners_.end(), [&](const auto& l) {
        return l->config().same_settings(wanted) &&
               (activated ? l->socket() == activated : !activated_.holds(l->socket()));
      });
      if (old == listeners_.end()) continue;
      unchanged[static_cast<std::size_t>(old - listeners_.begin())] = true;
      if (wanted.tls) renewed_tls[static_cast<std::size_t>(old - listeners_.begin())] = wanted;
      stays[i] = true;
      taken.push_back((*old)->socket());
    }
    for (std::size_t i = 0; i < next.listeners.size(); ++i) {
      if (stays[i]) continue;
      const auto& wanted = next.listeners[i];
      auto socket = activated_sockets[i] ? activated_sockets[i] : socket_for(wanted, taken);
      taken.push_back(socket);
      fresh.push_back(make_listener(wanted, std::move(socket)));
    }
  } catch (const std::exception& e) {
    log_.error("{}", log::explain(e));
    log_.error("reload failed: keeping the running configuration");
    if (environment_.arena != nullptr) environment_.arena->reloaded(false);
    systemd::notify_ready();
    return;
  }

  // One line per listener the reload changes, removes or adds, in its own
  // log, then the summary.
  std::size_t changed = 0;
  std::size_t removed = 0;
  for (std::size_t i = 0; i < listeners_.size(); ++i) {
    if (unchanged[i]) {
      if (renewed_tls[i]) renew_tls(*listeners_[i], std::move(*renewed_tls[i]));
      kept.push_back(std::move(listeners_[i]));
      continue;
    }
    const Listener& old = *listeners_[i];
    const auto renewed = std::find_if(fresh.begin(), fresh.end(), [&](const auto& l) {
      return l->config().name == old.config().name;
    });
    if (renewed == fresh.end()) {
      ++removed;
      old.log().info("listener {}: removed", old.config().name);
    } else {
      ++changed;
      old.log().info("listener {}: {}", old.config().name,
                     describe_change(old.config(), (*renewed)->config()));
    }
  }
  for (const auto& listener : fresh) {
    const bool renews = std::any_of(listeners_.begin(), listeners_.end(), [&](const auto& l) {
      return l && l->config().name == listener->config().name;
    });
    if (!renews) listener->log().info("listener {}: added", listener->config().name);
  }
  for (auto& listener : fresh) {
    listener->start();
    log_started(*listener);
  }
  // Old versions stop accepting only now that their successors accept.
  for (auto& listener : listeners_)
    if (listener) announce_drain(*retire(std::move(listener), model::CloseReason::listener_removed).listener);

  listeners_ = std::move(kept);
  for (auto& listener : fresh) listeners_.push_back(std::move(listener));
  const std::size_t added = fresh.size() - changed;
  config_ = std::move(next);
  logging_.set_level(level_override_.value_or(config_.log.level));
  log_.info("reload done: {} listeners ({} added, {} changed, {} removed, {} unchanged)",
            listeners_.size(), added, changed, removed, listeners_.size() - fresh.size());
  if (environment_.arena != nullptr) environment_.arena->reloaded(true);
  update_status();
  systemd::notify_ready();
}

// A kept TLS listener's files are loaded on every reload: a renewed
// certificate usually keeps its path. One that does not load leaves the
// listener with the context it had: it goes on serving.
void Server::renew_tls(Listener& listener, config::Listener wanted) {
  const bool changed = config::tls_changed(listener.config(), wanted);
  try {
    LoadedTls tls = load_listener_tls(config_.path, wanted, std::chrono::system_clock::now());
    const std::string what = changed ? describe_change(listener.config(), wanted) : std::string();
    listener.renew_tls(std::move(wanted), std::move(tls.setup));
    if (changed)
      listener.log().info("listener {}: {}", listener.config().name, what);
    else
      listener.log().info("listener {}: TLS certificate and key reloaded",
                          listener.config().name);
    if (tls.warning) listener.log().warn("{}", *tls.warning);
  } catch (const std::exception& e) {
    listener.log().error("{}; new connections keep the TLS settings loaded before",
                         log::explain(e));
  }
}

Server::Retired& Server::retire(std::unique_ptr<Listener> listener, model::CloseReason why) {
  listener->stop_accepting(why);
  const auto timeout = listener->config().limits.shutdown_timeout;
  const std::uint64_t id = listener->id();
  auto& retired = retired_.emplace_back(std::move(listener), loop_,
                                        [this, id] { drained(id); });
  retired.deadline.arm_after(timeout);
  return retired;
}

// In the listener's own log (its LISTENER= field in the journal), the
// timeout as the configuration writes it.
void Server::announce_drain(const Listener& listener) {
  if (const auto open = listener.connections(); open > 0)
    listener.log().info("listener {}: draining {} connection(s) for up to {}",
                        listener.config().name, open,
                        config::format_duration(listener.config().limits.shutdown_timeout));
}

// The last connection of a retired listener closed, or its shutdown_timeout
// passed: whatever is still open is closed now.
void Server::drained(std::uint64_t id) {
  const auto it = std::find_if(retired_.begin(), retired_.end(),
                               [id](const Retired& r) { return r.listener->id() == id; });
  if (it == retired_.end()) return;
  if (const auto left = it->listener->connections(); left > 0)
    it->listener->log().info("listener {}: closing {} connection(s) after shutdown_timeout ({})",
                             it->listener->config().name, left,
                             config::format_duration(it->listener->config().limits.shutdown_timeout));
  retired_.erase(it);
  if (shutting_down_ && retired_.empty()) stop_after_farewells();
}

// Chat rooms shared over a bus tell it that their members left before the
// loop stops: it turns until the bus took every farewell (a second at most).
void Server::stop_after_farewells() {
  bus::when_farewells_done([this] { loop_.stop(); });
}

void Server::begin_shutdown() {
  if (shutting_down_) {
    log_.info("second stop signal: closing every connection now");
    retired_.clear();
    loop_.stop();
    return;
  }
  shutting_down_ = true;
  systemd::notify_stopping();
  // Every listener stops accepting before the line that says so; then each
  // says what it drains (one retired by a reload already did).
  std::vector<const Listener*> stopped;
  for (auto& listener : listeners_)
    stopped.push_back(retire(std::move(listener), model::CloseReason::shutdown).listener.get());
  listeners_.clear();
  log_.info("shutting down: no longer accepting; {} connection(s) open", open_connections());
  for (const Listener* listener : stopped) announce_drain(*listener);
  if (retired_.empty()) {
    stop_after_farewells();
    return;
  }
  update_status();  // asks for the time the drain may take
}

std::size_t Server::open_connections() const {
  std::size_t total = 0;
  for (const auto& listener : listeners_) total += listener->connections();
  for (const auto& retired : retired_) total += retired.listener->connections();
  return total;
}

// Load comes in bursts: glibc keeps the heap pages a burst freed (in each
// thread's arena), so the daemon's RSS would stay at the burst's high-water
// mark. Giving them back every few seconds (a walk of the free chunks, well
// under a millisecond for a heap of this size) keeps it near what is in use.
void Server::return_free_memory() {
  ::malloc_trim(0);
  trim_timer_.arm_after(kTrimInterval);
}

// New connections per second over the time since the last mark (at least
// a second; the status updates every kStatusInterval): "120/s", "0.4/s".
std::string Server::connection_rate(const metrics::Figures& figures) {
  if (environment_.arena == nullptr) return "0/s";
  std::uint64_t accepted = 0;
  for (const auto& listener : figures.listeners) accepted += listener.accepted;
  const auto now = loop_.now();
  const auto elapsed = std::chrono::duration<double>(now - rate_.when).count();
  if (rate_.when == event::Clock::time_point{} || accepted < rate_.accepted) {
    rate_ = {now, accepted, 0};  // the first mark, or a listener's counts went with it
  } else if (elapsed >= 1.0) {
    rate_.per_second = static_cast<double>(accepted - rate_.accepted) / elapsed;
    rate_.when = now;
    rate_.accepted = accepted;
  }
  if (rate_.per_second == 0) return "0/s";
  return rate_.per_second < 10 ? fmt::format("{:.1f}/s", rate_.per_second)
                               : fmt::format("{:.0f}/s", rate_.per_second);
}

void Server::update_status() {
  if (!shutting_down_) {
    const metrics::Figures figures =
        environment_.arena != nullptr ? environment_.arena->figures() : metrics::Figures{};
    std::string status = fmt::format("{} listeners, {} connections, {}", listeners_.size(),
                                     open_connections(), connection_rate(figures));
    // Only when a chat room shared with other daemons has lost its bus:
    // "...; lobby: bus down".
    if (const std::string trouble = metrics::chat_bus_trouble(figures); !trouble.empty())
      status += "; " + trouble;
    systemd::notify_status(status);
    status_timer_.arm_after(kStatusInterval);
    return;
  }
  // Draining: tell systemd how long it may still take (the last retired
  // listener's shutdown_timeout, plus a margin for closing), so that a
  // TimeoutStopSec shorter than the drain does not cut it off.
  const auto now = loop_.now();
  auto end = now;
  for (const auto& retired : retired_) end = std::max(end, retired.deadline.when());
  systemd::notify_status(fmt::format("stopping: {} connections left", open_connections()));
  systemd::notify_extend_timeout(
      std::chrono::ceil<std::chrono::microseconds>(end - now + kStopMargin));
  status_timer_.arm_after(kStatusInterval);
}

}  // namespace netcook::server
