// Per-listener limits through the real daemon, once per model: the idle
// timeout, max_connections and running out of file descriptors.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "models.hpp"
#include "proc_tree.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

namespace netcook::test {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr milliseconds kIdleTimeout{300};

class Limits : public ::testing::TestWithParam<std::string> {};

TEST_P(Limits, IdleClientIsClosedActiveOneIsNot) {
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}},
                            {"idle_timeout: 300ms"}));
  const auto port = daemon.port_of("echo");
  auto active = Client::connect(port);
  auto idle = Client::connect(port);
  const auto idle_start = Clock::now();  // before the server's last activity
  ASSERT_EQ(idle.exchange("hi"), "hi");

  // Keep `active` busy, pacing it by waiting on `idle`, until `idle` has been
  // closed and `active` has lived well past the idle timeout after that.
  const Deadline deadline(kWait);
  std::optional<Clock::time_point> idle_closed_at;
  int exchanges = 0;
  while (!idle_closed_at || Clock::now() - *idle_closed_at < 3 * kIdleTimeout) {
    const std::string message = "ping " + std::to_string(exchanges);
    ASSERT_EQ(active.exchange(message), message)
        << "active client lost after " << exchanges << " exchanges, "
        << duration_cast<milliseconds>(Clock::now() - idle_start).count()
        << " ms (" << active.last_status() << ")";
    ++exchanges;
    if (!idle_closed_at) {
      const IoStatus status = idle.wait_closed(Timeout{10});
      ASSERT_NE(status, IoStatus::ok) << "unexpected data on the idle client";
      ASSERT_NE(status, IoStatus::error) << "errno " << idle.last_error();
      if (status == IoStatus::closed) {
        idle_closed_at = Clock::now();
      }
    }
    ASSERT_FALSE(deadline.expired())
        << (idle_closed_at ? "active client test ran too long"
                           : "idle client was never closed by the server");
  }
  // The idle client must not have been closed before its timeout (a little
  // slack for timer rounding).
  EXPECT_GE(*idle_closed_at - idle_start, kIdleTimeout - milliseconds{20})
      << "idle client closed after only "
      << duration_cast<milliseconds>(*idle_closed_at - idle_start).count()
      << " ms";
}

TEST_P(Limits, ConnectionsBeyondMaxAreClosedWithoutService) {
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}},
                            {"max_connections: 2"}));
  const auto port = daemon.port_of("echo");
  std::optional<Client> first = Client::connect(port);
  ASSERT_EQ(first->exchange("first"), "first");
  std::optional<Client> second = Client::connect(port);
  ASSERT_EQ(second->exchange("second"), "second");

  // The third is either refused, or accepted and closed without an echo.
  auto third = Client::try_connect(port);
  if (third.client) {
    third.client->write_all("third");  // may fail: the server may have closed
    EXPECT_EQ(third.client->wait_closed(kWait), IoStatus::closed)
        << "third connection was not closed (data: "
        << third.client->read_exact(5, Timeout{0}) << ")";
  } else {
    EXPECT_EQ(third.error, ECONNREFUSED);
  }

  EXPECT_EQ(first->exchange("first again"), "first again");
  EXPECT_EQ(second->exchange("second again"), "second again");

  // A closed connection frees its slot. The daemon sees the close
  // asynchronously, so a new client may still be turned away for a moment:
  // retry until one is served, each attempt waiting on the server's answer.
  first.reset();
  const Deadline deadline(kWait);
  bool served = false;
  int attempts = 0;
  while (!served && !deadline.expired()) {
    ++attempts;
    auto fresh = Client::try_connect(port, deadline.remaining());
    served = fresh.client &&
             fresh.client->exchange("fresh", deadline.remaining()) == "fresh";
  }
  EXPECT_TRUE(served) << "no new client served after closing one ("
                      << attempts << " attempts)";
  EXPECT_EQ(second->exchange("second still"), "second still");
}

// With far more clients than file descriptors, the daemon keeps serving
// as descriptors free up, logs the failure once per burst rather than per
// accept, and does not spin on the listening socket meanwhile.
TEST_P(Limits, OutOfFileDescriptorsBacksOffAndRecovers) {
  if (GetParam() == "fork")
    GTEST_SKIP() << "fork: the fork master closes each connection's descriptor once the "
                    "connection process has it, so an echo listener cannot exhaust them";
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}}));
  const auto port = daemon.port_of("echo");
  // Room for a handful of connections beyond what the daemon holds now.
  const rlimit limit{static_cast<rlim_t>(fd_count(daemon.pid()) + 6),
                     static_cast<rlim_t>(fd_count(daemon.pid()) + 6)};
  ASSERT_EQ(::prlimit(daemon.pid(), RLIMIT_NOFILE, &limit, nullptr), 0);

  const auto mark = daemon.log_mark();
  std::vector<Client> clients;
  for (int i = 0; i < 5 * static_cast<int>(limit.rlim_cur); ++i)
    clients.push_back(Client::connect(port));  // the backlog takes them
  daemon.wait_for_line("accept failed: Too many open files", kWait, mark);

  // Backing off, the daemon sleeps: under a third of a CPU over a second.
  const long before = cpu_ticks(daemon.pid());
  Client::try_connect(port, Timeout{1000});  // a one-second window
  const long used = cpu_ticks(daemon.pid()) - before;
  EXPECT_LT(used, ::sysconf(_SC_CLK_TCK) / 3) << "the daemon spins while out of fds";

  // Each client is served once an earlier one has left.
  for (std::size_t i = 0; i < clients.size(); ++i) {
    const std::string message = "client " + std::to_string(i);
    ASSERT_EQ(clients[i].exchange(message, kLongWait), message);
    clients[i].shutdown_both();
  }
  int failures_logged = 0;
  for (const auto& line : daemon.log().lines())
    if (line.find("accept failed: Too many open files") != std::string::npos) ++failures_logged;
  EXPECT_LE(failures_logged, 3) << "accept failures are logged per accept, not per burst";
}

INSTANTIATE_TEST_SUITE_P(Models, Limits, kAllModels, model_name);

}  // namespace
}  // namespace netcook::test
