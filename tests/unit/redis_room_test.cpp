// The Redis side of a shared chat room (bus/redis_room, its Lua scripts)
// against a real redis-server: several "daemons" (rooms with their own
// daemon ids) on one loop in this process, their requests and the news
// they get back.

#include "bus/redis_room.hpp"
#include "event/loop.hpp"
#include "event/timer.hpp"
#include "redis_server.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace netcook::bus {
namespace {

using namespace std::chrono_literals;
using proto::chat::Answer;
using proto::chat::BusNews;
using proto::chat::BusRequest;
using proto::chat::Entry;

// Runs `loop` until `done` holds (checked every few milliseconds) or the
// time is up; true when done.
bool run_until(event::Loop& loop, const std::function<bool()>& done,
               std::chrono::milliseconds limit = 5s) {
  const auto deadline = event::Clock::now() + limit;
  bool met = false;
  event::Timer* again = nullptr;
  event::Timer check(loop, [&] {
    if (done()) {
      met = true;
      loop.stop();
    } else if (event::Clock::now() >= deadline) {
      loop.stop();
    } else {
      again->arm_after(2ms);
    }
  });
  again = &check;
  check.arm_after(0ms);
  loop.run();
  return met;
}

// One daemon's room: what it was told, as it comes.
struct Daemon {
  Daemon(event::Loop& loop, const netcook::test::RedisServer& redis, std::string id,
         std::chrono::milliseconds ttl = 15s) {
    RoomSettings settings;
    settings.room = "lobby";
    settings.link.endpoint.kind = config::BusEndpoint::Kind::tcp;
    settings.link.endpoint.host = "127.0.0.1";
    settings.link.endpoint.port = redis.port();
    settings.link.endpoint.url = redis.url();
    settings.link.timeout = 1s;
    settings.presence_ttl = ttl;
    settings.max_members = 3;
    settings.daemon = id;
    label = std::move(id);
    auto log = std::make_shared<spdlog::logger>("room",
                                                std::make_shared<spdlog::sinks::null_sink_mt>());
    bus = make_redis_room(loop, std::move(settings), std::move(log));
    bus->start([this] { bus->take(news); });
    // Linked before the test goes on: a room reads the stream from the
    // entry that was last when it linked, so what another daemon published
    // before then is (rightly) not news to it. Requests wait until the room
    // is linked, so the answer to one says it is.
    send(BusRequest::Kind::who, 0, {});
    EXPECT_TRUE(run_until(loop, [this] { return !answers().empty(); }))
        << "daemon " << label << " did not link to the bus";
    news.clear();
  }

  void send(BusRequest::Kind kind, proto::ConnectionId member, std::string name,
            std::string text = {}) {
    bus->submit(BusRequest{kind, member, std::move(name), "127.0.0.1", std::move(text)});
  }

  std::vector<Entry> entries() const {
    std::vector<Entry> out;
    for (const BusNews& n : news)
      if (n.kind == BusNews::Kind::entry) out.push_back(n.entry);
    return out;
  }
  std::vector<Answer> answers() const {
    std::vector<Answer> out;
    for (const BusNews& n : news)
      if (n.kind == BusNews::Kind::answer) out.push_back(n.answer);
    return out;
  }
  bool saw(BusNews::Kind kind) const {
    for (const BusNews& n : news)
      if (n.kind == kind) return true;
    return false;
  }

  std::string label;
  std::unique_ptr<proto::chat::RoomBus> bus;
  std::vector<BusNews> news;
};

class RedisRoom : public ::testing::Test {
 protected:
  // The rooms the test made went with its body: the loop turns until they
  // said farewell to the bus.
  void TearDown() override {
    EXPECT_TRUE(run_until(loop, [] { return farewells_under_way() == 0; }));
  }

  netcook::test::RedisServer redis;
  event::Loop loop;
};

TEST_F(RedisRoom, AJoinIsAnsweredAndEveryDaemonReadsItsEntry) {
  Daemon a(loop, redis, "a");
  Daemon b(loop, redis, "b");
  a.send(BusRequest::Kind::join, 1, "alice");
  ASSERT_TRUE(run_until(loop, [&] { return !a.answers().empty() && !b.entries().empty(); }));
  const Answer answer = a.answers().front();
  EXPECT_EQ(answer.outcome, Answer::Outcome::ok);
  EXPECT_EQ(answer.online, 1u);
  EXPECT_EQ(answer.roster, std::vector<std::string>{"alice"});
  const Entry entry = b.entries().front();
  EXPECT_EQ(entry.kind, Entry::Kind::joined);
  EXPECT_FALSE(entry.ours);
  EXPECT_EQ(entry.name, "alice");
  EXPECT_EQ(entry.online, 1u);
  EXPECT_EQ(entry.id, answer.entry);
  ASSERT_TRUE(run_until(loop, [&] { return !a.entries().empty(); }));
  EXPECT_TRUE(a.entries().front().ours);
  EXPECT_EQ(a.entries().front().member, 1u);
}

TEST_F(RedisRoom, NamesAreUniqueIgnoringCaseAcrossDaemonsAndFreedAtLeave) {
  Daemon a(loop, redis, "a");
  Daemon b(loop, redis, "b");
  a.send(BusRequest::Kind::join, 1, "alice");
  ASSERT_TRUE(run_until(loop, [&] { return a.answers().size() == 1; }));
  b.send(BusRequest::Kind::join, 7, "ALICE");
  ASSERT_TRUE(run_until(loop, [&] { return b.answers().size() == 1; }));
  EXPECT_EQ(b.answers()[0].outcome, Answer::Outcome::taken);
  a.send(BusRequest::Kind::leave, 1, "alice", "bye");
  b.send(BusRequest::Kind::join, 7, "ALICE");
  ASSERT_TRUE(run_until(loop, [&] { return b.answers().size() == 2; }));
  // Sent after the leave from another daemon: it may come first, so it
  // may be refused once; the name is free once the leave is read.
  ASSERT_TRUE(run_until(loop, [&] {
    for (const Entry& e : b.entries())
      if (e.kind == Entry::Kind::left) return true;
    return false;
  }));
  b.send(BusRequest::Kind::join, 8, "alice");
  ASSERT_TRUE(run_until(loop, [&] { return b.answers().size() == 3; }));
  const auto answers = b.answers();
  EXPECT_TRUE(answers[1].outcome == Answer::Outcome::ok ||
              answers[2].outcome == Answer::Outcome::ok);
}

TEST_F(RedisRoom, LinesComeBackInOneOrderWithHistoryForNewMembers) {
  Daemon a(loop, redis, "a");
  Daemon b(loop, redis, "b");
  a.send(BusRequest::Kind::join, 1, "alice");
  b.send(BusRequest::Kind::join, 2, "bob");
  for (int i = 0; i < 30; ++i) {
    a.send(BusRequest::Kind::say, 1, "alice", "a" + std::to_string(i));
    b.send(BusRequest::Kind::say, 2, "bob", "b" + std::to_string(i));
  }
  a.send(BusRequest::Kind::act, 1, "alice", "waves");
  const auto lines = [](const Daemon& d) {
    std::vector<std::string> out;
    for (const Entry& e : d.entries())
      if (e.kind == Entry::Kind::line || e.kind == Entry::Kind::action) out.push_back(e.text);
    return out;
  };
  ASSERT_TRUE(run_until(loop, [&] { return lines(a).size() == 61 && lines(b).size() == 61; }));
  EXPECT_EQ(lines(a), lines(b));
  Daemon c(loop, redis, "c");
  c.send(BusRequest::Kind::join, 3, "carol");
  ASSERT_TRUE(run_until(loop, [&] { return !c.answers().empty(); }));
  const Answer answer = c.answers().front();
  // The room's last 20 lines and actions, in the room's order.
  ASSERT_EQ(answer.history.size(), 20u);
  const std::vector<std::string> said = lines(a);
  for (std::size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(answer.history[i].text, said[41 + i]);
    EXPECT_EQ(answer.history[i].kind,
              said[41 + i] == "waves" ? Entry::Kind::action : Entry::Kind::line);
  }
  EXPECT_EQ(answer.roster.size(), 3u);
  EXPECT_EQ(answer.roster.back(), "carol");
}

TEST_F(RedisRoom, TheRoomHasRoomForMaxMembers) {
  Daemon a(loop, redis, "a");
  for (proto::ConnectionId id = 1; id <= 4; ++id)
    a.send(BusRequest::Kind::join, id, "m" + std::to_string(id));
  ASSERT_TRUE(run_until(loop, [&] { return a.answers().size() == 4; }));
  EXPECT_EQ(a.answers()[3].outcome, Answer::Outcome::full);
  EXPECT_EQ(a.answers()[3].online, 3u);
}

TEST_F(RedisRoom, RenameAndWho) {
  Daemon a(loop, redis, "a");
  Daemon b(loop, redis, "b");
  a.send(BusRequest::Kind::join, 1, "alice");
  ASSERT_TRUE(run_until(loop, [&] { return a.answers().size() == 1; }));
  b.send(BusRequest::Kind::join, 2, "bob");
  ASSERT_TRUE(run_until(loop, [&] { return a.answers().size() == 1 && b.answers().size() == 1; }));
  a.send(BusRequest::Kind::rename, 1, "alice", "bob");
  a.send(BusRequest::Kind::rename, 1, "alice", "Alicia");
  a.send(BusRequest::Kind::who, 1, "Alicia");
  ASSERT_TRUE(run_until(loop, [&] { return a.answers().size() == 4; }));
  EXPECT_EQ(a.answers()[1].outcome, Answer::Outcome::taken);
  EXPECT_EQ(a.answers()[2].outcome, Answer::Outcome::ok);
  EXPECT_EQ(a.answers()[3].roster, (std::vector<std::string>{"Alicia", "bob"}));
  ASSERT_TRUE(run_until(loop, [&] {
    for (const Entry& e : b.entries())
      if (e.kind == Entry::Kind::renamed) return e.name == "Alicia" && e.text == "alice";
    return false;
  }));
}

// A room that goes (its listener removed, its daemon stopping) tells the
// bus its members left at once: the others need not wait for presence_ttl.
TEST_F(RedisRoom, ARoomThatGoesSaysFarewell) {
  Daemon b(loop, redis, "b");
  auto a = std::make_unique<Daemon>(loop, redis, "a");
  a->send(BusRequest::Kind::join, 1, "alice");
  a->send(BusRequest::Kind::join, 2, "bob");
  ASSERT_TRUE(run_until(loop, [&] { return a->answers().size() == 2; }));
  a->send(BusRequest::Kind::leave, 1, "alice", "server shutting down");  // as the hub does
  a.reset();
  EXPECT_EQ(farewells_under_way(), 1u);
  std::vector<std::string> left;
  ASSERT_TRUE(run_until(loop, [&] {
    left.clear();
    for (const Entry& e : b.entries())
      if (e.kind == Entry::Kind::left) left.push_back(e.name + ": " + e.text);
    return left.size() == 2;
  }));
  EXPECT_EQ(left, (std::vector<std::string>{"alice: server shutting down", "bob: server stopped"}));
  ASSERT_TRUE(run_until(loop, [] { return farewells_under_way() == 0; }));
  EXPECT_EQ(redis.command({"ZSCORE", "netcookd:{lobby}:daemons", "a"}).type,
            netcook::test::RedisReply::Type::nil);
}

// A daemon that died: its presence expires in a moment and is renewed no
// more (written here as the scripts write it), its member still in the
// room. It expires after the first heartbeat of the daemon that watches,
// which thus reads the leave its next heartbeat announces.
TEST_F(RedisRoom, ADaemonThatStopsBeatingIsTakenForDeadByTheOthers) {
  const auto time = redis.command({"TIME"}).flat();
  const long long now_ms = std::stoll(time.at(0)) * 1000 + std::stoll(time.at(1)) / 1000;
  redis.command({"ZADD", "netcookd:{lobby}:daemons", std::to_string(now_ms + 1500), "ghost"});
  redis.command({"HSET", "netcookd:{lobby}:members", "ghost/1", "Zed\n192.0.2.1\n1-1"});
  redis.command({"ZADD", "netcookd:{lobby}:roster", "1", "ghost/1"});
  redis.command({"HSET", "netcookd:{lobby}:names", "zed", "ghost/1"});
  Daemon b(loop, redis, "b", 3s);
  b.send(BusRequest::Kind::join, 2, "bob");
  ASSERT_TRUE(run_until(loop, [&] {
    for (const Entry& e : b.entries())
      if (e.kind == Entry::Kind::left) return true;
    return false;
  }, 10s));
  Entry left;
  for (const Entry& e : b.entries())
    if (e.kind == Entry::Kind::left) left = e;
  EXPECT_EQ(left.name, "Zed");
  EXPECT_EQ(left.host, "192.0.2.1");
  EXPECT_EQ(left.text, "server lost");
  EXPECT_FALSE(left.ours);
  b.send(BusRequest::Kind::join, 3, "zed");
  ASSERT_TRUE(run_until(loop, [&] { return b.answers().size() == 2; }));
  EXPECT_EQ(b.answers()[1].outcome, Answer::Outcome::ok);
  EXPECT_EQ(redis.command({"ZSCORE", "netcookd:{lobby}:daemons", "ghost"}).type,
            netcook::test::RedisReply::Type::nil);
}

TEST_F(RedisRoom, ALostLinkIsToldAndWhatWasSaidMeanwhileIsPublishedAfter) {
  Daemon a(loop, redis, "a");
  Daemon b(loop, redis, "b");
  a.send(BusRequest::Kind::join, 1, "alice");
  ASSERT_TRUE(run_until(loop, [&] { return a.answers().size() == 1; }));
  redis.pause();
  ASSERT_TRUE(run_until(loop, [&] { return a.saw(BusNews::Kind::link_lost); }));
  for (int i = 0; i < 5; ++i) a.send(BusRequest::Kind::say, 1, "alice", std::to_string(i));
  redis.resume();
  ASSERT_TRUE(run_until(loop, [&] { return a.saw(BusNews::Kind::link_restored); }));
  std::vector<std::string> got;
  ASSERT_TRUE(run_until(loop, [&] {
    got.clear();
    for (const Entry& e : b.entries())
      if (e.kind == Entry::Kind::line) got.push_back(e.text);
    return got.size() >= 5;
  }));
  EXPECT_EQ(got, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
}

TEST_F(RedisRoom, ARedisRestartedEmptyIsNoticedAndTheMembersAnnouncedAgain) {
  Daemon a(loop, redis, "a");
  a.send(BusRequest::Kind::join, 1, "alice");
  ASSERT_TRUE(run_until(loop, [&] { return a.answers().size() == 1; }));
  redis.restart();
  ASSERT_TRUE(run_until(loop, [&] { return a.saw(BusNews::Kind::forgotten); }, 10s));
  a.send(BusRequest::Kind::rejoin, 1, "alice");
  ASSERT_TRUE(run_until(loop, [&] { return a.answers().size() == 2; }));
  EXPECT_EQ(a.answers()[1].outcome, Answer::Outcome::ok);
  Daemon b(loop, redis, "b");
  b.send(BusRequest::Kind::join, 2, "alice");
  ASSERT_TRUE(run_until(loop, [&] { return b.answers().size() == 1; }));
  EXPECT_EQ(b.answers()[0].outcome, Answer::Outcome::taken);
}

}  // namespace
}  // namespace netcook::bus
