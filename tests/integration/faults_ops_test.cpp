// Operational faults, model by model (issue 9, item 3): connection
// processes of the fork model killed with SIGKILL in bursts while clients
// keep coming, and the thread model put through 2,000 connections a second
// for 10 s. Nothing may be lost: every client served, no zombie, no thread
// or descriptor left behind. (Reloads and path traversal: the other
// faults_*_test.cpp files of this suite.)

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "echo_load.hpp"
#include "proc_tree.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace netcook::test {
namespace {

using namespace std::chrono_literals;

// Polls a /proc condition until it holds; false if `timeout` passes first.
// (A process or thread vanishing cannot be waited on, so this looks again
// every few milliseconds, within a bounded time.)
template <typename Condition>
bool poll_until(Condition holds, Timeout timeout = kWait) {
  const Deadline deadline(timeout);
  while (!holds()) {
    if (deadline.expired()) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// ---- fork: SIGKILL in bursts under load ----

constexpr auto kKillPhase = 5s;
constexpr int kVictimsPerBurst = 4;  // several SIGCHLDs at once may merge into one

// A connection whose process the test will kill: its pid (from the "{pid} "
// prefix), checked to be a child of the fork master.
struct Victim {
  Client client;
  pid_t pid = 0;
};

std::optional<Victim> open_victim(std::uint16_t port, pid_t master, int number) {
  Victim victim{Client::connect(port)};
  std::string word;
  if (!echo_line(victim.client, "victim " + std::to_string(number), EchoReply::prefixed, &word)
           .empty() ||
      word.empty() ||
      !std::all_of(word.begin(), word.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
    return std::nullopt;
  victim.pid = static_cast<pid_t>(std::stol(word));
  // Only ever kill a process of the daemon's own fork master.
  if (parent_of(victim.pid) != master) return std::nullopt;
  return victim;
}

// The fork master: the daemon's child that is the parent of a connection.
pid_t find_master(const Daemon& daemon, std::uint16_t port) {
  auto probe = Client::connect(port);
  std::string word;
  if (!echo_line(probe, "who", EchoReply::prefixed, &word).empty()) return 0;
  const pid_t master = parent_of(static_cast<pid_t>(std::stol(word)));
  return parent_of(master) == daemon.pid() ? master : 0;
}

TEST(ForkFaults, ListenerServesNewClientsWhileChildrenAreKilledInBursts) {
  Daemon daemon(
      make_config({{.name = "forked", .model = "fork", .mode = "line", .prefix = "{pid} "}}));
  const auto port = daemon.port_of("forked");
  const pid_t master = find_master(daemon, port);
  ASSERT_NE(master, 0) << "no fork master between the daemon and its connections";

  std::optional<HeldEcho> held;
  held.emplace(Client::connect(port), EchoReply::prefixed);
  ChurnLoad churn(port, {.threads = 2, .per_second = 100, .reply = EchoReply::prefixed});
  ASSERT_TRUE(churn.wait_successes(5)) << churn.counts().first_failure;

  const auto mark = daemon.log_mark();
  std::vector<pid_t> killed;
  const Deadline phase(kKillPhase);
  for (int burst = 0; !phase.expired(); ++burst) {
    std::vector<Victim> victims;
    for (int i = 0; i < kVictimsPerBurst; ++i) {
      auto victim = open_victim(port, master, burst * kVictimsPerBurst + i);
      ASSERT_TRUE(victim) << "burst " << burst
                          << ": a new client was not served by the master's child";
      victims.push_back(std::move(*victim));
    }
    for (const auto& victim : victims) ASSERT_EQ(::kill(victim.pid, SIGKILL), 0);
    for (auto& victim : victims) {
      ASSERT_EQ(victim.client.wait_closed(kWait), IoStatus::closed) << "burst " << burst;
      killed.push_back(victim.pid);
    }
  }
  const auto load = churn.stop();
  const auto steady = held->stop();
  held.reset();  // closes its connection

  std::cout << "[ info     ] " << killed.size() << " connection processes killed in "
            << kKillPhase.count() << " s; " << load.ok << " new clients served meanwhile, "
            << steady.ok << " exchanges on the held connection\n";
  EXPECT_EQ(load.failed, 0u) << load.first_failure;
  EXPECT_GT(load.ok, 0u);
  EXPECT_EQ(steady.failed, 0u) << steady.first_failure;
  // The master logs each death it did not cause, after reaping it.
  std::set<pid_t> logged;
  for (std::size_t from = mark; logged.size() < killed.size();) {
    const auto line = daemon.wait_for_line(
        R"(connection process (\d+) was killed by signal 9 \(Killed\))", kWait, from);
    logged.insert(static_cast<pid_t>(std::stol(line.groups.at(1))));
    from = line.index + 1;
  }
  EXPECT_EQ(logged, std::set<pid_t>(killed.begin(), killed.end()));
  EXPECT_EQ(daemon.log().count("was killed by signal 9", mark), killed.size());
  // Once the clients are gone, only the master is left, and no zombie.
  EXPECT_TRUE(poll_until([&] { return descendants_of(daemon.pid()).size() == 1; }))
      << descendants_of(daemon.pid()).size() - 1 << " processes left below the master";
  EXPECT_EQ(zombies_below(daemon.pid()), std::vector<std::string>{});
  EXPECT_EQ(descendants_of(daemon.pid()), std::vector<pid_t>{master}) << "the fork master changed";
  const char state = process_state(master);
  EXPECT_TRUE(state != '\0' && state != 'Z') << "fork master state '" << state << "'";

  auto fresh = Client::connect(port);
  std::string word;
  EXPECT_EQ(echo_line(fresh, "after the kills", EchoReply::prefixed, &word), "");
  EXPECT_EQ(daemon.wait_exit(Timeout{0}), std::nullopt) << "the daemon exited";
  expect_no_sanitizer_reports(daemon);
}

// ---- thread: connection churn ----

constexpr unsigned kChurnRate = 2'000;         // connections a second
constexpr std::uint64_t kChurnTotal = 20'000;  // 10 s at that rate
constexpr Timeout kChurnLimit{120'000};        // a sanitizer build on 2 cores is slower

TEST(ThreadFaults, TwoThousandConnectionsASecondLeaveNothingBehind) {
  Daemon daemon(make_config({{.name = "echo", .model = "thread"}}));
  const auto port = daemon.port_of("echo");
  const std::size_t threads_before = thread_count(daemon.pid());
  {
    // Anything opened lazily on a first connection is opened now.
    auto warm_up = Client::connect(port);
    ASSERT_EQ(echo_line(warm_up, "warm up", EchoReply::exact), "");
  }
  ASSERT_TRUE(poll_until([&] { return thread_count(daemon.pid()) == threads_before; }));
  const std::size_t fds_before = fd_count(daemon.pid());

  const auto start = Clock::now();
  ChurnLoad churn(port, {.threads = 4, .per_second = kChurnRate, .total = kChurnTotal});
  ASSERT_TRUE(churn.wait_done(kChurnLimit))
      << churn.counts().ok << " of " << kChurnTotal << " done in " << kChurnLimit.count() << " ms";
  const auto elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const auto load = churn.stop();
  std::cout << "[ info     ] " << load.ok << " connections in " << elapsed << " s ("
            << static_cast<double>(load.ok + load.failed) / elapsed << "/s)\n";
  EXPECT_EQ(load.failed, 0u) << load.first_failure;
  EXPECT_EQ(load.ok, kChurnTotal);

  EXPECT_TRUE(poll_until([&] { return thread_count(daemon.pid()) == threads_before; }))
      << thread_count(daemon.pid()) << " threads, " << threads_before << " before the churn";
  EXPECT_TRUE(poll_until([&] { return fd_count(daemon.pid()) == fds_before; }))
      << fd_count(daemon.pid()) << " descriptors open, " << fds_before << " before the churn";
  auto fresh = Client::connect(port);
  EXPECT_EQ(echo_line(fresh, "after the churn", EchoReply::exact), "");
  EXPECT_EQ(daemon.wait_exit(Timeout{0}), std::nullopt) << "the daemon exited";
  expect_no_sanitizer_reports(daemon);
}

}  // namespace
}  // namespace netcook::test
