// sd_notify(3) from the real daemon, received on a datagram socket the test
// binds itself as $NOTIFY_SOCKET: READY only once every listener accepts,
// STATUS lines, RELOADING with MONOTONIC_USEC then READY on SIGHUP (also
// when the new file is broken), STOPPING with EXTEND_TIMEOUT_USEC while
// draining, and watchdog pings that stop while a listener's loop is stuck.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "models.hpp"
#include "notify_socket.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

namespace netcook::test {
namespace {

using std::chrono::milliseconds;

std::uint64_t monotonic_usec() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
         static_cast<std::uint64_t>(now.tv_nsec) / 1'000u;
}

// One listener per protocol, each under a different model.
std::string three_listeners(const std::string& shutdown_timeout = "2s") {
  return make_chat_config(
      {{.name = "room", .model = "select"}}, {"shutdown_timeout: " + shutdown_timeout},
      {{.name = "echo", .model = "fork"}, {.name = "line", .model = "coroutine", .mode = "line"}});
}

// The daemon with the notify socket in its environment (plus `env`), not
// waiting for the "ready:" log line: the tests wait for READY=1 instead.
struct Notified {
  explicit Notified(const std::string& config, std::vector<std::string> env = {})
      : socket(dir.path() + "/notify"),
        daemon(config,
               DaemonOptions{.env = with(std::move(env), socket.env()), .wait_ready = false}) {}

  static std::vector<std::string> with(std::vector<std::string> env, std::string entry) {
    env.push_back(std::move(entry));
    return env;
  }

  TempDir dir;
  NotifySocket socket;
  Daemon daemon;
};

TEST(Notify, ReadyOnlyOnceEveryListenerAccepts) {
  Notified n(three_listeners());
  const auto ready = n.socket.wait_for("READY", "1");
  ASSERT_TRUE(ready) << "no READY=1";
  // Every listener was logged before READY, and each one answers now.
  auto echo = Client::connect(n.daemon.port_of("echo"));
  EXPECT_EQ(echo.exchange("ping"), "ping");
  auto line = Client::connect(n.daemon.port_of("line"));
  EXPECT_EQ(line.exchange("hello\n"), "hello\n");
  auto room = Client::connect(n.daemon.port_of("room"));
  EXPECT_EQ(room.read_line(), "* welcome to netcookd chat; send your name (/help for commands)\n");
  // A one-line STATUS came with or before READY.
  EXPECT_TRUE(n.daemon.find_line(R"(ready: 3 listeners)"));
}

TEST(Notify, StatusCountsListenersAndConnections) {
  Notified n(three_listeners());
  const auto first = n.socket.wait_for("STATUS");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->field("STATUS"), "3 listeners, 0 connections, 0/s");
  ASSERT_TRUE(n.socket.wait_for("READY", "1"));

  auto a = Client::connect(n.daemon.port_of("echo"));
  auto b = Client::connect(n.daemon.port_of("line"));
  ASSERT_EQ(a.exchange("x"), "x");
  ASSERT_EQ(b.exchange("y\n"), "y\n");
  // Refreshed every few seconds: the two connections show up, and the rate
  // at which they came (2 over the last 5 seconds, or 1 and 1 over two).
  std::string seen;
  for (int i = 0; i < 4; ++i) {
    const auto status = n.socket.wait_for("STATUS");
    ASSERT_TRUE(status) << "last STATUS: " << seen;
    seen = status->field("STATUS").value_or("");
    if (seen == "3 listeners, 2 connections, 0.4/s" || seen == "3 listeners, 2 connections, 0.2/s")
      break;
  }
  EXPECT_TRUE(seen == "3 listeners, 2 connections, 0.4/s" ||
              seen == "3 listeners, 2 connections, 0.2/s")
      << seen;
}

TEST(Notify, ReloadSendsReloadingWithMonotonicTimeThenReady) {
  Notified n(three_listeners());
  ASSERT_TRUE(n.socket.wait_for("READY", "1"));

  const std::uint64_t before = monotonic_usec();
  n.daemon.send_signal(SIGHUP);
  const auto reloading = n.socket.wait_for("RELOADING", "1");
  ASSERT_TRUE(reloading) << "no RELOADING=1";
  const auto stamp = reloading->field("MONOTONIC_USEC");
  ASSERT_TRUE(stamp) << reloading->text;
  const std::uint64_t usec = std::stoull(*stamp);
  EXPECT_GE(usec, before);
  EXPECT_LE(usec, monotonic_usec());
  EXPECT_TRUE(n.socket.wait_for("READY", "1")) << "no READY=1 after the reload";

  // A broken file: the old configuration stays, and READY=1 still follows.
  const auto mark = n.daemon.log_mark();
  n.daemon.write_config("listeners:\n  - name: [oops\n");
  n.daemon.send_signal(SIGHUP);
  ASSERT_TRUE(n.socket.wait_for("RELOADING", "1"));
  EXPECT_TRUE(n.socket.wait_for("READY", "1")) << "no READY=1 after a failed reload";
  n.daemon.wait_for_line("reload failed", kWait, mark);
  auto echo = Client::connect(n.daemon.port_of("echo"));
  EXPECT_EQ(echo.exchange("still here"), "still here");
}

TEST(Notify, StopSendsStoppingAndExtendsTheTimeoutWhileDraining) {
  Notified n(three_listeners("20s"));
  ASSERT_TRUE(n.socket.wait_for("READY", "1"));
  auto client = Client::connect(n.daemon.port_of("line"));
  ASSERT_EQ(client.exchange("hold\n"), "hold\n");

  n.daemon.send_signal(SIGTERM);
  ASSERT_TRUE(n.socket.wait_for("STOPPING", "1")) << "no STOPPING=1";
  const auto extend = n.socket.wait_for("EXTEND_TIMEOUT_USEC");
  ASSERT_TRUE(extend) << "no EXTEND_TIMEOUT_USEC while draining";
  const std::uint64_t usec = std::stoull(*extend->field("EXTEND_TIMEOUT_USEC"));
  // The drain may take up to shutdown_timeout (20 s) plus a margin.
  EXPECT_GE(usec, 15'000'000u);
  EXPECT_LE(usec, 30'000'000u);

  client.shutdown_both();
  EXPECT_EQ(n.daemon.wait_exit(kWait), 0);
}

// WATCHDOG_USEC of 1 s: a ping every half second while every loop turns.
// The test hook stalls one listener's loops for 3 s: the pings stop for
// about that long, then resume. Once per model.
class Watchdog : public ::testing::TestWithParam<std::string> {};

TEST_P(Watchdog, PingsStopWhileAListenerLoopIsStuck) {
  const std::string config = make_chat_config({{.name = "room", .model = "epoll"}}, {},
                                              {{.name = "stuck", .model = GetParam()}});
  Notified n(config, {"WATCHDOG_USEC=1000000", "NETCOOKD_DEBUG_STALL=stuck:3000"});
  ASSERT_TRUE(n.socket.wait_for("READY", "1"));
  for (int i = 0; i < 3; ++i) {
    const auto ping = n.socket.wait_for("WATCHDOG", "1", milliseconds(2'000));
    ASSERT_TRUE(ping) << "ping " << i << " did not come within 2 s";
  }
  auto client = Client::connect(n.daemon.port_of("stuck"));
  ASSERT_EQ(client.exchange("alive"), "alive");

  const auto mark = n.daemon.log_mark();
  n.daemon.send_signal(SIGUSR2);
  // Pings may still come until the stall is noticed (half a period); then
  // none for the rest of the stall. The longest silence shows it: measured
  // from the signal, with the test reading every ping as it comes.
  Clock::time_point last = Clock::now();
  Clock::duration longest{};
  const Deadline resume_by(milliseconds(10'000));
  while (longest < milliseconds(2'000)) {
    const auto ping = n.socket.wait_for("WATCHDOG", "1", resume_by.remaining());
    if (!ping) break;
    longest = std::max(longest, ping->received - last);
    last = ping->received;
  }
  EXPECT_GE(longest, milliseconds(2'000)) << "pings went on while the loop was stuck, or "
                                             "never resumed";
  EXPECT_TRUE(n.socket.wait_for("WATCHDOG", "1", milliseconds(2'000)))
      << "pings did not resume after the stall";
  n.daemon.wait_for_line("test hook: stalling listener stuck", kWait, mark);
  n.daemon.wait_for_line("watchdog: listener stuck's loop has not turned", kWait, mark);
  n.daemon.wait_for_line("watchdog: every loop turns again", kWait, mark);
  EXPECT_EQ(client.exchange("still alive"), "still alive");
}

INSTANTIATE_TEST_SUITE_P(Models, Watchdog, kAllModels, model_name);

}  // namespace
}  // namespace netcook::test
