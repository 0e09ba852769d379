// Per-listener limits through the real daemon, once per model: the idle
// timeout and max_connections.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "models.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

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

INSTANTIATE_TEST_SUITE_P(Models, Limits, kAllModels, model_name);

}  // namespace
}  // namespace netcook::test
