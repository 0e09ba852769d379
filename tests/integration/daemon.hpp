#pragma once

// The real netcookd binary running a test configuration: a fresh temp dir
// holds the config file, the child's stderr (the log) is captured line by
// line, and ports are read from the "listener NAME: ... on ADDRESS" lines.
// If the test has failed when the object goes away, the captured log is
// printed to help debugging.

#include "deadline.hpp"
#include "line_log.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::test {

// The binary under test, from $NETCOOKD_BIN (set by meson); throws if unset.
std::string daemon_binary();

// `text` with every regex metacharacter escaped (ECMAScript grammar).
std::string regex_escape(std::string_view text);

// How to start the daemon beyond its config file.
struct DaemonOptions {
  std::vector<std::string> extra_args = {};  // after "-c FILE"
  std::vector<std::string> env = {};  // "NAME=value", added to the test's
  // Put before the daemon's own argv, e.g. {"/usr/bin/systemd-socket-activate",
  // "-l", "127.0.0.1:PORT", "--"}.
  std::vector<std::string> command_prefix = {};
  // Wait for the "ready:" line in the constructor (false: the test waits
  // for readiness its own way).
  bool wait_ready = true;
  // Unless -1: a descriptor the daemon gets as its fd 3, e.g. a listening
  // socket passed by socket activation (with LISTEN_FDS=1 in `env`, and
  // LISTEN_PID set to the daemon's pid by a command_prefix). The caller
  // keeps owning it.
  int fd3 = -1;
};

class Daemon {
 public:
  // Writes `config` to DIR/netcookd.yaml, starts `netcookd -c FILE` plus
  // `extra_args`, and waits for the "ready:" line. Throws, with the log in
  // the message, if the daemon does not get ready.
  explicit Daemon(std::string_view config,
                  const std::vector<std::string>& extra_args = {});
  Daemon(std::string_view config, const DaemonOptions& options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  const std::string& config_path() const { return config_path_; }
  const TempDir& dir() const { return dir_; }
  // Replaces the config file atomically (then send SIGHUP to reload it).
  void write_config(std::string_view config) const;

  pid_t pid() const { return process_->pid(); }
  void send_signal(int signal) const { process_->send_signal(signal); }
  // See Process::wait_exit(): exit code, or 128 + signal; nullopt = running.
  std::optional<int> wait_exit(Timeout timeout) const {
    return process_->wait_exit(timeout);
  }

  // The number of log lines so far: pass it as `from` to only look at lines
  // logged after this point.
  std::size_t log_mark() const { return log().size(); }

  // The first log line at index >= `from` where `pattern` (ECMAScript regex)
  // is found; waits up to `timeout`. Throws, with the log tail in the
  // message, on timeout or if the daemon closes stderr first.
  LineMatch wait_for_line(std::string_view pattern, Timeout timeout = kWait,
                          std::size_t from = 0) const;
  // Whether a line at index >= `from` matches now; never waits.
  std::optional<LineMatch> find_line(std::string_view pattern,
                                     std::size_t from = 0) const;

  // The port of listener `name` from its latest "listener NAME: P/M on
  // HOST:PORT" line at index >= `from`, with or without " (socket-activated)"
  // (waits for one if there is none yet).
  std::uint16_t port_of(std::string_view name, std::size_t from = 0) const;

  const LineLog& log() const { return process_->err(); }
  const LineLog& out() const { return process_->out(); }

 private:
  TempDir dir_;
  std::string config_path_;
  std::optional<Process> process_;
};

// A sanitizer build of the daemon reports on its stderr, which is the log;
// a daemon killed at the end of a test would tell nothing else. Adds a test
// failure for every kind of report found.
void expect_no_sanitizer_reports(const Daemon& daemon);

}  // namespace netcook::test
