// The metrics arena: slots taken and given back, figures summed over the
// shards of many threads and of another process, histograms cumulative.

#include "metrics/arena.hpp"
#include "metrics/cpu.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace netcook::metrics {
namespace {

const ListenerFigures* find(const Figures& figures, std::string_view name) {
  for (const auto& listener : figures.listeners)
    if (listener.name == name) return &listener;
  return nullptr;
}

TEST(MetricsArena, ASlotIsLiveFromTakeToTheLastGiveBack) {
  Arena arena;
  EXPECT_TRUE(arena.figures().listeners.empty());
  const ListenerMetrics echo = arena.take("echo", "echo", "epoll", "127.0.0.1:7");
  add(echo.here().accepted, 3);
  // A reload's successor of the same name, protocol and model shares the
  // slot (its counters must not go back) and relabels its address.
  const ListenerMetrics successor = arena.take("echo", "echo", "epoll", "[::1]:7");
  EXPECT_EQ(successor.index(), echo.index());
  add(successor.here().accepted);
  arena.give_back(echo);
  auto figures = arena.figures();
  ASSERT_EQ(figures.listeners.size(), 1U);
  EXPECT_EQ(figures.listeners[0].accepted, 4U);
  EXPECT_EQ(figures.listeners[0].address, "[::1]:7");
  // Another model is another series.
  const ListenerMetrics other = arena.take("echo", "echo", "fork", "127.0.0.1:7");
  EXPECT_NE(other.index(), echo.index());
  EXPECT_EQ(arena.figures().listeners.size(), 2U);
  arena.give_back(successor);
  arena.give_back(other);
  EXPECT_TRUE(arena.figures().listeners.empty());
  // Taken anew, a slot starts from zero.
  const ListenerMetrics again = arena.take("echo", "echo", "epoll", "127.0.0.1:7");
  figures = arena.figures();
  ASSERT_EQ(figures.listeners.size(), 1U);
  EXPECT_EQ(figures.listeners[0].accepted, 0U);
  arena.give_back(again);
}

TEST(MetricsArena, SumsTheShardsOfManyThreads) {
  Arena arena;
  const ListenerMetrics m = arena.take("l", "echo", "thread", "a");
  constexpr int kThreads = 8, kAdds = 10'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kAdds; ++i) {
        add(m.here().bytes_in, 2);
        m.here().closed_by(CloseReason::peer_closed);
      }
    });
  for (auto& thread : threads) thread.join();
  const Figures figures = arena.figures();
  const auto* f = find(figures, "l");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->bytes_in, 2U * kThreads * kAdds);
  EXPECT_EQ(f->closed[static_cast<std::size_t>(CloseReason::peer_closed)],
            static_cast<std::uint64_t>(kThreads * kAdds));
  arena.give_back(m);
}

// What the fork model relies on: a process forked after the arena was
// mapped adds to the cells its parent reads.
TEST(MetricsArena, AForkedProcessCountsIntoTheSameCells) {
  Arena arena;
  const ListenerMetrics m = arena.take("f", "echo", "fork", "a");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    choose_shard_after_fork();
    add(m.here().accepted, 7);
    m.here().http_request(404, 300);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  const Figures figures = arena.figures();
  const auto* f = find(figures, "f");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->accepted, 7U);
  EXPECT_EQ(f->http_requests[http_code_slot(404)], 1U);
  EXPECT_EQ(f->request_duration.count(), 1U);
  arena.give_back(m);
}

TEST(MetricsArena, HistogramsAreCumulative) {
  Arena arena;
  const ListenerMetrics m = arena.take("h", "http", "epoll", "a");
  m.here().connection_ended(500);            // <= 1 ms
  m.here().connection_ended(1'000);          // <= 1 ms: a bound is inclusive
  m.here().connection_ended(2'000'000);      // <= 10 s
  m.here().connection_ended(100'000'000'000);  // above every bound
  const Figures figures = arena.figures();
  const auto* f = find(figures, "h");
  ASSERT_NE(f, nullptr);
  const auto& h = f->connection_duration;
  ASSERT_EQ(h.cumulative.size(), kConnectionBounds.size() + 1);
  EXPECT_EQ(h.cumulative[0], 2U);
  EXPECT_EQ(h.cumulative[3], 2U);  // <= 1 s
  EXPECT_EQ(h.cumulative[4], 3U);  // <= 10 s
  EXPECT_EQ(h.cumulative[kConnectionBounds.size() - 1], 3U);
  EXPECT_EQ(h.count(), 4U);
  EXPECT_EQ(h.sum_usec, 500U + 1'000U + 2'000'000U + 100'000'000'000U);
  arena.give_back(m);
}

TEST(MetricsArena, CodesBeyondTheKnownOnesShareTheLastSlot) {
  EXPECT_EQ(http_code_slot(200), 0U);
  EXPECT_EQ(http_code_slot(505), kHttpCodes.size() - 1);
  EXPECT_EQ(http_code_slot(418), kHttpCodes.size());
  EXPECT_EQ(http_code_slot(0), kHttpCodes.size());
}

TEST(MetricsArena, TheLastSlotTakenSaysSo) {
  Arena arena;
  std::vector<ListenerMetrics> taken;
  for (std::size_t i = 0; i < kSlots; ++i)
    taken.push_back(arena.take("l" + std::to_string(i), "echo", "epoll", "a"));
  EXPECT_THROW(arena.take("one more", "echo", "epoll", "a"), std::runtime_error);
  for (const auto& m : taken) arena.give_back(m);
  EXPECT_NO_THROW(arena.give_back(arena.take("one more", "echo", "epoll", "a")));
}

TEST(CpuMeter, AddsWhatTheThreadUsed) {
  Cell cpu{0};
  {
    CpuMeter meter(cpu);
    volatile std::uint64_t x = 0;
    for (int i = 0; i < 2'000'000; ++i) x = x + static_cast<std::uint64_t>(i);
  }  // flushes
  EXPECT_GT(cpu.load(), 0U);
}

}  // namespace
}  // namespace netcook::metrics
