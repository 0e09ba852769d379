// A chat listener's bus in the figures: gauges kept as signed deltas in
// the shards of several threads (adjust()), the meter that a bus counts
// with (its gauges taken back when it goes, across a reload's two buses
// in either order), and the STATUS= words about buses that are down.

#include "metrics/chat_bus.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>

namespace netcook::metrics {
namespace {

ChatBusFigures bus_of(const Arena& arena, std::string_view name) {
  for (const auto& listener : arena.figures().listeners)
    if (listener.name == name) return listener.chat_bus;
  ADD_FAILURE() << "no listener " << name;
  return {};
}

// One thread adds, another takes away: each shard alone is far from the
// gauge's value (one of them wrapped below zero), their sum is exact.
TEST(MetricsAdjust, SignedDeltasInDifferentShardsSumExactly) {
  Arena arena;
  const ListenerMetrics m = arena.take("lobby", "chat", "epoll", "a");
  constexpr int kRounds = 1000;
  std::thread up([&] {
    for (int i = 0; i < kRounds; ++i) adjust(m.here().chat_bus_queued, 3);
  });
  up.join();
  std::thread down([&] {
    for (int i = 0; i < kRounds; ++i) adjust(m.here().chat_bus_queued, -2);
  });
  down.join();
  // A third thread's shard that only ever went down.
  std::thread below([&] { adjust(m.here().chat_bus_configured, -1); });
  below.join();
  std::thread above([&] { adjust(m.here().chat_bus_configured, 2); });
  above.join();
  const ChatBusFigures bus = bus_of(arena, "lobby");
  EXPECT_EQ(bus.queued, kRounds);
  EXPECT_EQ(bus.buses, 1);
  arena.give_back(m);
}

TEST(MetricsAdjust, AGaugeBelowZeroReadsAsNegativeAndIsClamped) {
  Arena arena;
  const ListenerMetrics m = arena.take("lobby", "chat", "epoll", "a");
  adjust(m.here().chat_bus_queued, -5);
  const ChatBusFigures bus = bus_of(arena, "lobby");
  EXPECT_EQ(bus.queued, -5);
  EXPECT_EQ(bus.waiting(), 0U);
  EXPECT_FALSE(bus.configured());
  arena.give_back(m);
}

TEST(ChatBusMeter, CountsWhileItLivesAndTakesItsGaugesBack) {
  Arena arena;
  const ListenerMetrics m = arena.take("lobby", "chat", "epoll", "a");
  EXPECT_FALSE(bus_of(arena, "lobby").configured());  // no bus: no series
  {
    ChatBusMeter meter(m);
    ChatBusFigures bus = bus_of(arena, "lobby");
    EXPECT_TRUE(bus.configured());
    EXPECT_FALSE(bus.up());  // not linked yet
    meter.linked();
    meter.linked();  // said twice, counted once
    meter.published(3);
    meter.received();
    meter.received(4);
    bus = bus_of(arena, "lobby");
    EXPECT_TRUE(bus.up());
    EXPECT_EQ(bus.linked, 1);
    EXPECT_EQ(bus.published, 3U);
    EXPECT_EQ(bus.received, 5U);

    meter.link_lost();
    meter.link_lost();  // one loss
    meter.queue_length(7);
    meter.queue_length(9);
    meter.dropped(2);
    bus = bus_of(arena, "lobby");
    EXPECT_FALSE(bus.up());
    EXPECT_EQ(bus.link_losses, 1U);
    EXPECT_EQ(bus.waiting(), 9U);
    EXPECT_EQ(bus.dropped, 2U);

    meter.linked();
    meter.queue_length(4);  // being published
    EXPECT_TRUE(bus_of(arena, "lobby").up());
    EXPECT_EQ(bus_of(arena, "lobby").waiting(), 4U);
  }
  // Gone with 4 still queued and its link up: the gauges are back at 0,
  // the counters stay (they must never go back).
  const ChatBusFigures bus = bus_of(arena, "lobby");
  EXPECT_FALSE(bus.configured());
  EXPECT_EQ(bus.linked, 0);
  EXPECT_EQ(bus.queued, 0);
  EXPECT_EQ(bus.published, 3U);
  EXPECT_EQ(bus.link_losses, 1U);
  arena.give_back(m);
}

TEST(ChatBusMeter, AFirstConnectionThatFailsIsNoLoss) {
  Arena arena;
  const ListenerMetrics m = arena.take("lobby", "chat", "epoll", "a");
  ChatBusMeter meter(m);
  meter.link_lost();
  EXPECT_EQ(bus_of(arena, "lobby").link_losses, 0U);
  arena.give_back(m);
}

// A reload replaces the listener: its successor shares the slot, and each
// has a bus, each made and destroyed on a thread of its own. Up only while
// both are linked; when the old one goes (before or after the new one
// links), the figures are the new one's.
TEST(ChatBusMeter, AReloadsTwoBusesInEitherOrder) {
  Arena arena;
  for (const bool old_goes_first : {true, false}) {
    const ListenerMetrics old_listener = arena.take("lobby", "chat", "thread", "a");
    std::optional<ChatBusMeter> old_bus;
    std::thread([&] {
      old_bus.emplace(old_listener);
      old_bus->linked();
      old_bus->queue_length(1);
    }).join();
    const ListenerMetrics new_listener = arena.take("lobby", "chat", "thread", "a");
    std::optional<ChatBusMeter> new_bus;
    std::thread([&] { new_bus.emplace(new_listener); }).join();
    EXPECT_FALSE(bus_of(arena, "lobby").up()) << "the new bus is not linked yet";
    EXPECT_EQ(bus_of(arena, "lobby").buses, 2);
    const auto old_goes = [&] {
      std::thread([&] { old_bus.reset(); }).join();
      arena.give_back(old_listener);
    };
    if (old_goes_first) old_goes();
    std::thread([&] { new_bus->linked(); }).join();
    if (!old_goes_first) {
      EXPECT_TRUE(bus_of(arena, "lobby").up());
      EXPECT_EQ(bus_of(arena, "lobby").linked, 2);
      old_goes();
    }
    const ChatBusFigures bus = bus_of(arena, "lobby");
    EXPECT_EQ(bus.buses, 1);
    EXPECT_TRUE(bus.up());
    EXPECT_EQ(bus.linked, 1);
    EXPECT_EQ(bus.waiting(), 0U);
    // A reload that takes the bus away: no bus series any more.
    std::thread([&] { new_bus.reset(); }).join();
    EXPECT_FALSE(bus_of(arena, "lobby").configured());
    arena.give_back(new_listener);
  }
}

ListenerFigures chat_with_bus(std::string name, bool up) {
  ListenerFigures l;
  l.name = std::move(name);
  l.protocol = "chat";
  l.chat_bus.buses = 1;
  l.chat_bus.linked = up ? 1 : 0;
  return l;
}

TEST(ChatBusTrouble, NamesTheListenersWhoseBusIsDown) {
  Figures f;
  EXPECT_EQ(chat_bus_trouble(f), "");
  ListenerFigures plain;
  plain.name = "local";
  plain.protocol = "chat";
  f.listeners = {plain, chat_with_bus("lobby", true)};
  EXPECT_EQ(chat_bus_trouble(f), "");  // no bus, or up: nothing to say
  f.listeners.push_back(chat_with_bus("games", false));
  EXPECT_EQ(chat_bus_trouble(f), "games: bus down");
  f.listeners.push_back(chat_with_bus("ops", false));
  EXPECT_EQ(chat_bus_trouble(f), "games, ops: bus down");
  for (const auto* name : {"a", "b", "c"}) f.listeners.push_back(chat_with_bus(name, false));
  EXPECT_EQ(chat_bus_trouble(f), "games, ops, a and 2 more: bus down");
}

}  // namespace
}  // namespace netcook::metrics
