#include "daemon.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <regex>
#include <stdexcept>

namespace netcook::test {

namespace {

constexpr std::size_t kLogTailLines = 40;

std::string log_tail(const LineLog& log) {
  const auto lines = log.lines();
  const std::size_t first =
      lines.size() > kLogTailLines ? lines.size() - kLogTailLines : 0;
  std::string text;
  for (std::size_t i = first; i < lines.size(); ++i) {
    text += "  | " + lines[i] + "\n";
  }
  return text;
}

}  // namespace

std::string daemon_binary() {
  const char* path = std::getenv("NETCOOKD_BIN");
  if (path == nullptr || *path == '\0') {
    throw std::runtime_error(
        "NETCOOKD_BIN is not set: run the integration tests with meson test");
  }
  return path;
}

std::string regex_escape(std::string_view text) {
  static constexpr std::string_view kSpecial = R"(\^$.|?*+()[]{})";
  std::string escaped;
  for (char c : text) {
    if (kSpecial.find(c) != std::string_view::npos) {
      escaped += '\\';
    }
    escaped += c;
  }
  return escaped;
}

Daemon::Daemon(std::string_view config,
               const std::vector<std::string>& extra_args)
    : Daemon(config, DaemonOptions{.extra_args = extra_args}) {}

Daemon::Daemon(std::string_view config, const DaemonOptions& options)
    : config_path_(dir_.write_file("netcookd.yaml", config)) {
  std::vector<std::string> argv = options.command_prefix;
  argv.insert(argv.end(), {daemon_binary(), "-c", config_path_});
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  process_.emplace(argv, options.env, options.fd3);
  if (options.wait_ready) wait_for_line(R"(ready: \d+ listeners?)");
}

Daemon::~Daemon() {
  if (::testing::Test::HasFailure() || std::uncaught_exceptions() > 0) {
    std::cerr << "---- netcookd log (pid " << pid() << ", " << config_path_
              << ") ----\n"
              << log().text() << "---- netcookd stdout ----\n"
              << out().text() << "---- end of netcookd output ----\n";
  }
}

void Daemon::write_config(std::string_view config) const {
  dir_.write_file("netcookd.yaml", config);
}

LineMatch Daemon::wait_for_line(std::string_view pattern, Timeout timeout,
                                std::size_t from) const {
  const std::regex regex{std::string(pattern)};
  if (auto match = log().wait_for(regex, timeout, from)) {
    return *match;
  }
  // If the daemon closed stderr it has most likely exited: say so.
  const bool closed = log().closed();
  const auto status = process_->wait_exit(closed ? Timeout{2000} : Timeout{0});
  std::string why = closed ? "before netcookd closed its stderr"
                           : "within " + std::to_string(timeout.count()) + " ms";
  if (status) {
    why += " (netcookd exited with status " + std::to_string(*status) + ")";
  }
  throw std::runtime_error("no log line matching /" + std::string(pattern) +
                           "/ from line " + std::to_string(from) + " " + why +
                           "; last log lines:\n" + log_tail(log()));
}

std::optional<LineMatch> Daemon::find_line(std::string_view pattern,
                                           std::size_t from) const {
  return log().wait_for(std::regex{std::string(pattern)}, Timeout{0}, from);
}

std::uint16_t Daemon::port_of(std::string_view name, std::size_t from) const {
  const std::string pattern =
      "listener " + regex_escape(name) + R"(: \S+ on (\S+):(\d+)( \(socket-activated\))?\s*$)";
  auto match = log().find_last(std::regex{pattern}, from);
  if (!match) {
    match = wait_for_line(pattern, kWait, from);
  }
  const unsigned long port = std::stoul(match->groups.at(2));
  if (port == 0 || port > 65535) {
    throw std::runtime_error("bad port in log line: " + match->line);
  }
  return static_cast<std::uint16_t>(port);
}

void expect_no_sanitizer_reports(const Daemon& daemon) {
  for (const char* text :
       {"ThreadSanitizer", "AddressSanitizer", "LeakSanitizer", "runtime error:"})
    EXPECT_EQ(daemon.log().count(text), 0u) << "the daemon's log has a " << text << " report";
}

}  // namespace netcook::test
