// netcookd: reads the configuration, starts the listeners and serves until
// SIGTERM. Everything that can fail at start-up throws with context; this
// is the one place that catches, prints and picks the exit status.

#include "cli.hpp"
#include "config/loader.hpp"
#include "config/tls_reader.hpp"
#include "event/signals.hpp"
#include "log/nested.hpp"
#include "model/fork/master.hpp"
#include "net/socket.hpp"
#include "server/listener_model.hpp"
#include "server/listener_tls.hpp"
#include "server/logging.hpp"
#include "server/protocols.hpp"
#include "server/server.hpp"
#include "systemd/activation.hpp"
#include "systemd/notify.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>

#include <fmt/format.h>
#include <unistd.h>

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int check_config(const std::string& path) {
  const auto result = netcook::config::load_config(path);
  if (!result.config) {
    for (const auto& error : result.errors) std::fprintf(stderr, "%s\n", error.to_string().c_str());
    return kExitFailure;
  }
  // Each TLS listener's certificate and key, loaded as the daemon would:
  // a pair that does not load fails the check; one that expires soon is
  // only a warning. Files named by credentials cannot be read outside the
  // service ($CREDENTIALS_DIRECTORY unset): said, not failed.
  int status = kExitOk;
  for (const auto& listener : result.config->listeners) {
    if (std::string why = netcook::server::model_unavailable(path, listener); !why.empty()) {
      std::fprintf(stderr, "%s\n", why.c_str());
      status = kExitFailure;
    }
    if (!listener.tls) continue;
    if (const auto unset = netcook::config::tls_credentials_unset(*listener.tls); !unset.empty()) {
      std::fprintf(stderr, "note: %s: not checked: %s\n",
                   netcook::server::tls_where(path, listener).c_str(), unset.front().c_str());
      continue;
    }
    try {
      const auto tls =
          netcook::server::load_listener_tls(path, listener, std::chrono::system_clock::now());
      if (tls.warning) std::fprintf(stderr, "warning: %s\n", tls.warning->c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      status = kExitFailure;
    }
  }
  if (status != kExitOk) return status;
  std::printf("%s: OK, %zu listeners\n", path.c_str(), result.config->listeners.size());
  return kExitOk;
}

int serve(const netcook::Options& options) {
  netcook::server::Logging logging;
  auto result = netcook::config::load_config(options.config_path);
  if (!result.config) {
    for (const auto& error : result.errors) logging.main().error("{}", error.to_string());
    logging.main().critical("not starting: {} error(s) in {}", result.errors.size(),
                            options.config_path);
    return kExitFailure;
  }
  logging.configure(result.config->log, options.log_level);
  // The first line also opens libsystemd's journal socket while this
  // process has one thread (see systemd/journal_socket.hpp).
  logging.main().info("netcookd {} starting (pid {}, {})", NETCOOKD_VERSION, ::getpid(),
                      options.config_path);
  try {
    // Before any thread exists, so every thread inherits the mask and the
    // signals reach only the server's signalfd.
    netcook::event::block_signals(netcook::server::Server::kSignals);
    std::signal(SIGPIPE, SIG_IGN);
    netcook::net::raise_fd_limit();
    // Before forking, so that no child believes systemd watches it. Loops
    // beat often enough for the watchdog to see a stuck one in time.
    const auto watchdog = netcook::systemd::take_watchdog_period();
    if (watchdog)
      netcook::event::Heartbeat::set_interval(
          std::min<netcook::event::Clock::duration>(std::chrono::seconds(1), *watchdog / 4));

    // Single-threaded (it unsets LISTEN_*) and before forking: the fork
    // master gets no LISTEN_* and closes its copies of these sockets; it
    // receives those of its own listeners over its control socket.
    auto activated = netcook::systemd::ActivatedSockets::take();

    // Mapped before the master is forked: it and its connection processes
    // count into the same pages the status listener reads.
    netcook::metrics::Arena arena;

    // Still single-threaded: the one moment the fork master may be forked.
    // It runs even without fork listeners, since a reload may add some; it
    // is stopped when `master` goes, after the server.
    const auto master = netcook::model::fork::Master::start(
        arena,
        [&arena](const netcook::config::Listener& listener, netcook::event::Loop& home) {
          return netcook::server::make_protocol(listener, &arena, &home);
        },
        [&logging](const std::string& name, const netcook::log::ListenerFields& fields) {
          return logging.standalone(name, fields);
        });
    // A reload may change log.level: the master and its listeners follow.
    logging.on_level_change([&logging, &master = *master](spdlog::level::level_enum level) {
      const std::string error = master.set_log_level(level);
      if (!error.empty()) logging.main().error("the fork master kept its log level: {}", error);
    });

    netcook::server::Server server(logging, netcook::model::Environment{master.get(), &arena},
                                   options.log_level, watchdog);
    server.start(std::move(*result.config), std::move(activated));
    return server.run();
  } catch (const std::exception& e) {
    logging.main().critical("{}", netcook::log::explain(e));
    return kExitFailure;
  }
}

}  // namespace

int main(int argc, char** argv) {
  netcook::Options options;
  try {
    options = netcook::parse_options(argc, argv);
  } catch (const netcook::UsageError& e) {
    std::fprintf(stderr, "netcookd: %s\n%s\n", e.what(), netcook::usage_line());
    return kExitUsage;
  }
  switch (options.action) {
    case netcook::Options::Action::help:
      std::fputs(netcook::help_text().c_str(), stdout);
      return kExitOk;
    case netcook::Options::Action::version:
      std::printf("netcookd %s\n", NETCOOKD_VERSION);
      return kExitOk;
    case netcook::Options::Action::check_config:
      return check_config(options.config_path);
    case netcook::Options::Action::run:
      break;
  }
  try {
    return serve(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "netcookd: %s\n", e.what());
    return kExitFailure;
  }
}
