// The command line of the real binary: --check-config, usage errors,
// --version, --help, and a missing configuration file.

#include "config_text.hpp"
#include "daemon.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <stdexcept>
#include <sstream>
#include <string>
#include <vector>

namespace netcook::test {
namespace {

RunResult run_netcookd(const std::vector<std::string>& args) {
  std::vector<std::string> argv{daemon_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_to_completion(argv, kWait);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

bool has_line_starting_with(const std::string& text, const std::string& start) {
  for (const auto& line : lines_of(text)) {
    if (line.rfind(start, 0) == 0) {
      return true;
    }
  }
  return false;
}

std::string good_config() {
  return make_config({{.name = "first"}, {.name = "second", .mode = "line"}});
}

// Three errors at known places. Unknown keys are reported at the key; a bad
// value at the value.
constexpr const char* kBadConfig =
    "log:\n"                     // 1
    "  level: debug\n"           // 2
    "  target: stderr\n"         // 3
    "listeners:\n"               // 4
    "  - name: one\n"            // 5
    "    protocol: gopher\n"     // 6: bad value at column 15
    "    model: epoll\n"         // 7
    "    listen: 127.0.0.1:0\n"  // 8
    "  - name: two\n"            // 9
    "    protocol: echo\n"       // 10
    "    model: epoll\n"         // 11
    "    listen: 127.0.0.1:0\n"  // 12
    "    colour: blue\n"         // 13: unknown key at column 5
    "bogus_section: 1\n";        // 14: unknown key at column 1

TEST(Cli, CheckConfigAcceptsGoodFile) {
  TempDir dir;
  const auto path = dir.write_file("good.yaml", good_config());
  const auto result = run_netcookd({"--check-config", "--config", path});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(result.out, path + ": OK, 2 listeners\n");
}

TEST(Cli, CheckConfigShortOptions) {
  TempDir dir;
  const auto path = dir.write_file("good.yaml", good_config());
  const auto result = run_netcookd({"-t", "-c", path});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(result.out, path + ": OK, 2 listeners\n");
}

TEST(Cli, CheckConfigReportsEveryErrorWithPosition) {
  TempDir dir;
  const auto path = dir.write_file("bad.yaml", kBadConfig);
  const auto result = run_netcookd({"--check-config", "--config", path});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_EQ(result.out.find("OK"), std::string::npos) << result.out;
  for (const char* position : {":6:15: ", ":13:5: ", ":14:1: "}) {
    EXPECT_TRUE(has_line_starting_with(result.err, path + position))
        << "no error line starting with " << path << position << "; stderr:\n"
        << result.err;
  }
  // Each error on its own line, in the documented format.
  const std::regex format("^" + regex_escape(path) + R"(:\d+:\d+: .+$)");
  int formatted = 0;
  for (const auto& line : lines_of(result.err)) {
    formatted += std::regex_match(line, format) ? 1 : 0;
  }
  EXPECT_GE(formatted, 3) << result.err;
}

TEST(Cli, CheckConfigReportsYamlSyntaxErrorWithPosition) {
  TempDir dir;
  const auto path = dir.write_file("syntax.yaml",
                                   "listeners:\n"
                                   "  - name: one\n"
                                   "    protocol: [echo\n"
                                   "    model: epoll\n");
  const auto result = run_netcookd({"--check-config", "--config", path});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_TRUE(std::regex_search(
      result.err, std::regex("(^|\n)" + regex_escape(path) + R"(:[1-9]\d*:[1-9]\d*: .+)")))
      << result.err;
}

// The binary prints a syntax error's hint on the error's own line.
TEST(Cli, CheckConfigHintsAtAUsualSyntaxMistake) {
  TempDir dir;
  const auto path = dir.write_file("v6.yaml",
                                   "listeners:\n"
                                   "  - name: one\n"
                                   "    protocol: echo\n"
                                   "    model: epoll\n"
                                   "    listen: [::1]:7007\n");
  const auto result = run_netcookd({"-t", "-c", path});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_EQ(result.err,
            path + ":5:18: end of map not found (hint: quote the address: \"[::1]:7007\")\n");
}

// The edge guards' networks and rates (netcookd.yaml(5), GUARDS): each bad
// value on its own line at its own place, and the check fails.
TEST(Cli, CheckConfigReportsBadNetworksAndRates) {
  TempDir dir;
  const auto path = dir.write_file("guards.yaml",
                                   "listeners:\n"                           // 1
                                   "  - name: guarded\n"                    // 2
                                   "    protocol: chat\n"                   // 3
                                   "    model: epoll\n"                     // 4
                                   "    listen: 127.0.0.1:0\n"              // 5
                                   "    allow: [10.0.0.0/33]\n"             // 6
                                   "    deny: [\"::1/129\", 10.0.0.1/8]\n"  // 7
                                   "    connection_rate:\n"                 // 8
                                   "      per_source: 0/s\n"                // 9
                                   "    chat:\n"                            // 10
                                   "      rate: ten/s\n");                  // 11
  const auto result = run_netcookd({"--check-config", "--config", path});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  EXPECT_EQ(result.out.find("OK"), std::string::npos) << result.out;
  const std::vector<std::string> expected{
      path +
          ":6:13: invalid network '10.0.0.0/33' in 'allow': prefix length 33 is beyond 32 "
          "for IPv4",
      path +
          ":7:12: invalid network '::1/129' in 'deny': prefix length 129 is beyond 128 for "
          "IPv6",
      path +
          ":7:23: invalid network '10.0.0.1/8' in 'deny': host bits are set beyond the /8; "
          "write 10.0.0.0/8 for the network, or 10.0.0.1/32 for the one address",
      path +
          ":9:19: invalid value '0/s' for 'per_source': a rate must be at least 1 per "
          "period; write 'unlimited' for no limit",
      path +
          ":11:13: invalid value 'ten/s' for 'rate': the count 'ten' is not a whole number; "
          "write a rate such as 20/s (per second), 600/m (per minute) or 1000/h (per hour)",
  };
  EXPECT_EQ(lines_of(result.err), expected) << result.err;
}

TEST(Cli, CheckConfigMissingFileIsAnError) {
  TempDir dir;
  const auto path = dir.file("does-not-exist.yaml");
  const auto result = run_netcookd({"--check-config", "--config", path});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_NE(result.err.find(path), std::string::npos) << result.err;
}

TEST(Cli, DaemonWithMissingConfigFileExits1) {
  TempDir dir;
  const auto path = dir.file("does-not-exist.yaml");
  const auto result = run_netcookd({"--config", path});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  EXPECT_NE(result.err.find(path), std::string::npos) << result.err;
}

TEST(Cli, DaemonWithInvalidConfigExits1) {
  TempDir dir;
  const auto path = dir.write_file("bad.yaml", kBadConfig);
  const auto result = run_netcookd({"--config", path});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  EXPECT_NE(result.err.find(path + ":13:5: "), std::string::npos) << result.err;
  // Levels as netcookd.8 names them.
  EXPECT_NE(result.err.find(" error [netcookd] " + path + ":"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(" critical [netcookd] not starting: "), std::string::npos)
      << result.err;
}

// io_uring denied (a seccomp filter, as a unit's SystemCallFilter= would):
// an io_uring listener cannot run, said at its model's FILE:LINE:COLUMN,
// by --check-config and by the daemon, which does not start; a config
// without one is not affected.
constexpr const char* kUringConfig =
    "log:\n"                     // 1
    "  target: stderr\n"         // 2
    "listeners:\n"               // 3
    "  - name: ring\n"           // 4
    "    protocol: echo\n"       // 5
    "    model: io_uring\n"      // 6: the value at column 12
    "    listen: 127.0.0.1:0\n";  // 7

RunResult run_without_io_uring(const std::vector<std::string>& args) {
  const char* wrapper = std::getenv("WITHOUT_IO_URING_BIN");
  if (wrapper == nullptr) throw std::runtime_error("WITHOUT_IO_URING_BIN is not set");
  std::vector<std::string> argv{wrapper, daemon_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_to_completion(argv, kWait);
}

TEST(Cli, IoUringDeniedIsSaidAtTheModelsLine) {
  TempDir dir;
  const auto path = dir.write_file("ring.yaml", kUringConfig);
  const std::string where = path + ":6:12: listener ring: model io_uring cannot run here: ";
  const auto check = run_without_io_uring({"--check-config", "-c", path});
  EXPECT_EQ(check.exit_status, 1) << check.err;
  EXPECT_NE(check.err.find(where + "io_uring is disabled here"), std::string::npos) << check.err;
  const auto daemon = run_without_io_uring({"-c", path});
  EXPECT_EQ(daemon.exit_status, 1) << daemon.err;
  EXPECT_NE(daemon.err.find(where), std::string::npos) << daemon.err;
  // Where io_uring works, the same file is fine.
  const auto allowed = run_netcookd({"--check-config", "-c", path});
  EXPECT_EQ(allowed.exit_status, 0) << allowed.err;
  // And without an io_uring listener, the filter changes nothing.
  const auto other = dir.write_file("epoll.yaml", good_config());
  EXPECT_EQ(run_without_io_uring({"--check-config", "-c", other}).exit_status, 0);
}

void expect_usage_error(const std::vector<std::string>& args) {
  const auto result = run_netcookd(args);
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_TRUE(has_line_starting_with(result.err, "usage: netcookd")) << "stderr:\n" << result.err;
}

TEST(Cli, UnknownOptionIsUsageError) {
  expect_usage_error({"--bogus"});
}

TEST(Cli, UnknownShortOptionIsUsageError) {
  expect_usage_error({"-Z"});
}

TEST(Cli, MissingArgumentIsUsageError) {
  expect_usage_error({"--config"});
}

TEST(Cli, MissingShortArgumentIsUsageError) {
  expect_usage_error({"-c"});
}

TEST(Cli, BadLogLevelIsUsageError) {
  expect_usage_error({"--log-level", "loud"});
}

TEST(Cli, ValidLogLevelIsAccepted) {
  TempDir dir;
  const auto path = dir.write_file("good.yaml", good_config());
  const auto result = run_netcookd({"--log-level", "warn", "--check-config", "-c", path});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(result.out, path + ": OK, 2 listeners\n");
}

TEST(Cli, VersionPrintsVersion) {
  const auto result = run_netcookd({"--version"});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  const auto lines = lines_of(result.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(std::regex_match(lines.front(), std::regex(R"(netcookd \d+\.\d+\.\d+\b.*)")))
      << lines.front();
#ifdef NETCOOKD_VERSION
  EXPECT_EQ(lines.front().rfind(std::string("netcookd ") + NETCOOKD_VERSION, 0), 0u)
      << lines.front();
#endif
}

TEST(Cli, HelpMentionsEveryOption) {
  const auto result = run_netcookd({"--help"});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_NE(result.out.find("netcookd"), std::string::npos) << result.out;
  for (const char* option :
       {"-c", "--config", "-t", "--check-config", "--log-level", "--version", "-h", "--help"}) {
    EXPECT_TRUE(
        std::regex_search(result.out, std::regex("(^|[^-a-z])" + regex_escape(option) + "\\b")))
        << "--help does not mention " << option << ":\n"
        << result.out;
  }
}

TEST(Cli, ShortHelpIsHelp) {
  const auto result = run_netcookd({"-h"});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_NE(result.out.find("--check-config"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace netcook::test
