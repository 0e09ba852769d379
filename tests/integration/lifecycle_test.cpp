// Start-up and shutdown of the real daemon: the start-up log lines, and
// SIGTERM/SIGINT with and without clients (once per model).

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "models.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string>

namespace netcook::test {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

TEST(Startup, LogsEveryListenerThenReady) {
  Daemon daemon(make_config({{.name = "raw-1"}, {.name = "line_2", .mode = "line"}}));
  const auto ready = daemon.wait_for_line(R"(ready: (\d+) listeners)");
  EXPECT_EQ(ready.groups.at(1), "2") << ready.line;
  for (const char* name : {"raw-1", "line_2"}) {
    const auto line = daemon.wait_for_line(
        std::string("listener ") + name +
        R"(: echo/epoll on 127\.0\.0\.1:([1-9]\d*)\s*$)");
    EXPECT_LT(line.index, ready.index) << line.line;
  }
}

class Shutdown : public ::testing::TestWithParam<std::string> {};

TEST_P(Shutdown, SigtermClosesIdleClientAfterShutdownTimeout) {
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}},
                            {"shutdown_timeout: 1s"}));
  auto client = Client::connect(daemon.port_of("echo"));
  ASSERT_EQ(client.exchange("hi"), "hi");

  const auto start = Clock::now();
  daemon.send_signal(SIGTERM);
  const auto status = daemon.wait_exit(kWait);
  const auto elapsed = duration_cast<milliseconds>(Clock::now() - start);
  EXPECT_EQ(status, 0);
  EXPECT_LT(elapsed.count(), 5000) << "shutdown_timeout is 1s";
  EXPECT_EQ(client.wait_closed(kWait), IoStatus::closed);
}

// While draining, live connections keep being served, new ones are
// refused, and the daemon exits as soon as the last client leaves.
TEST_P(Shutdown, LiveConnectionsAreServedUntilTheyClose) {
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}},
                            {"shutdown_timeout: 60s"}));
  const auto port = daemon.port_of("echo");
  auto first = Client::connect(port);
  auto second = Client::connect(port);
  ASSERT_EQ(first.exchange("one"), "one");
  ASSERT_EQ(second.exchange("two"), "two");

  const auto mark = daemon.log_mark();
  daemon.send_signal(SIGTERM);
  daemon.wait_for_line("shutting down: no longer accepting", kWait, mark);
  EXPECT_EQ(first.exchange("still one"), "still one");
  EXPECT_EQ(second.exchange("still two"), "still two");
  auto late = Client::try_connect(port);
  EXPECT_FALSE(late.client.has_value()) << "accepted a connection while draining";

  first.shutdown_both();
  EXPECT_EQ(second.exchange("last"), "last");
  EXPECT_EQ(daemon.wait_exit(Timeout{0}), std::nullopt) << "exited with a client left";
  second.shutdown_both();
  // Well before the 60 s shutdown_timeout: the drain ends with the clients.
  EXPECT_EQ(daemon.wait_exit(kWait), 0);
}

TEST_P(Shutdown, SigtermWithoutClientsExitsPromptly) {
  // The default shutdown_timeout (10s) must not be waited for in vain.
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}}));
  const auto start = Clock::now();
  daemon.send_signal(SIGTERM);
  const auto status = daemon.wait_exit(kWait);
  const auto elapsed = duration_cast<milliseconds>(Clock::now() - start);
  EXPECT_EQ(status, 0);
  EXPECT_LT(elapsed.count(), 5000);
}

TEST_P(Shutdown, SigintWithoutClientsExitsPromptly) {
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}}));
  const auto start = Clock::now();
  daemon.send_signal(SIGINT);
  const auto status = daemon.wait_exit(kWait);
  const auto elapsed = duration_cast<milliseconds>(Clock::now() - start);
  EXPECT_EQ(status, 0);
  EXPECT_LT(elapsed.count(), 5000);
}

TEST_P(Shutdown, ClientThatClosedDuringServiceDoesNotDelayExit) {
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}}));
  {
    auto client = Client::connect(daemon.port_of("echo"));
    ASSERT_EQ(client.exchange("bye"), "bye");
  }
  const auto start = Clock::now();
  daemon.send_signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(kWait), 0);
  EXPECT_LT(duration_cast<milliseconds>(Clock::now() - start).count(), 5000)
      << "a closed connection was waited for until shutdown_timeout (10s)";
}

INSTANTIATE_TEST_SUITE_P(Models, Shutdown, kAllModels, model_name);

}  // namespace
}  // namespace netcook::test
