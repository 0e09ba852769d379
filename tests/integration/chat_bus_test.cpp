// One chat room spanning several netcookd daemons through Redis (issue 20),
// end to end: a private redis-server (tests/lib/redis_server.hpp) on
// loopback with no persistence, real daemons (NETCOOKD_BIN) whose chat
// listeners name it as their `bus`, and members on real sockets. Every
// model is a bus member at least once. Waits are on what members receive
// or what a daemon logs, bounded; the only measured durations are the ones
// under test (Redis's pause, the presence time-out).

#include "chat_bus.hpp"
#include "chat_room.hpp"
#include "client.hpp"
#include "daemon.hpp"
#include "deadline.hpp"
#include "http_reply.hpp"
#include "redis_server.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace netcook::test {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kLost = "* room link lost; reconnecting";
constexpr std::string_view kRestored = "* room link restored";
// For all lines to reach all members once the last is sent (or Redis is
// back); a failure should not take a whole minute a step. Also: each step
// that fails stops its test (ASSERT), for a room that is not shared would
// make every later wait run out, one after the other.
constexpr Timeout kDeliveryWait{30'000};

// Daemons in a deque: a Daemon neither moves nor copies.
using Daemons = std::deque<Daemon>;

std::vector<std::uint16_t> ports_of(const Daemons& daemons) {
  std::vector<std::uint16_t> ports;
  for (const auto& daemon : daemons) ports.push_back(daemon.port_of("room"));
  return ports;
}

// A member's line as the others see it.
std::string said(const std::string& name, const std::string& text) {
  return "[" + name + "@127.0.0.1] " + text;
}

// Adds the members (name, daemon index) to `crowd` one after the other,
// then waits until every one has heard the room reach their number.
void gather(Crowd& crowd, const std::vector<std::uint16_t>& ports,
            const std::vector<std::pair<std::string, std::size_t>>& members) {
  for (const auto& [name, daemon] : members) crowd.add(name, daemon, ports.at(daemon));
  const std::size_t online = crowd.size();
  ASSERT_TRUE(crowd.pump(Deadline(kWait), [&] {
    return crowd.all_have([&](const std::string& line) { return says_online(line, online); });
  })) << "not everybody saw the room reach " << online << ":\n"
      << crowd.describe();
}

// Each member's lines at index >= its mark that are other members' lines
// ("[NAME@HOST] TEXT"), in the order received.
std::vector<std::vector<std::string>> said_lines(Crowd& crowd,
                                                 const std::vector<std::size_t>& marks) {
  std::vector<std::vector<std::string>> all;
  for (std::size_t i = 0; i < crowd.size(); ++i) {
    std::vector<std::string> lines;
    for (std::size_t n = marks.at(i); n < crowd[i].lines.size(); ++n) {
      if (crowd[i].lines[n].starts_with("[")) lines.push_back(crowd[i].lines[n]);
    }
    all.push_back(std::move(lines));
  }
  return all;
}

// One order: for every two members, the lines both received come in the
// same relative order. Adds a failure naming the first pair that disagrees.
void expect_one_order(Crowd& crowd, const std::vector<std::vector<std::string>>& received) {
  for (std::size_t a = 0; a < received.size(); ++a) {
    std::map<std::string, std::size_t> position;
    for (std::size_t n = 0; n < received[a].size(); ++n) position[received[a][n]] = n;
    for (std::size_t b = a + 1; b < received.size(); ++b) {
      std::optional<std::size_t> last;
      std::string last_line;
      for (const auto& line : received[b]) {
        const auto it = position.find(line);
        if (it == position.end()) continue;
        if (last && it->second < *last) {
          ADD_FAILURE() << crowd[a].name << " and " << crowd[b].name
                        << " saw lines in different orders: " << crowd[b].name << " got \""
                        << last_line << "\" before \"" << line << "\", " << crowd[a].name
                        << " after";
          return;
        }
        last = it->second;
        last_line = line;
      }
    }
  }
}

// `expected[i]`: the lines member i must receive (others' lines), each
// exactly once, and nothing else of the kind; and each sender's lines in
// the order it sent them (`sent`: every member's lines, in order).
void expect_each_once(Crowd& crowd, const std::vector<std::vector<std::string>>& received,
                      const std::vector<std::vector<std::string>>& sent) {
  for (std::size_t i = 0; i < crowd.size(); ++i) {
    std::map<std::string, int> counts;
    for (const auto& line : received[i]) ++counts[line];
    std::size_t missing = 0, twice = 0, foreign = 0;
    for (std::size_t s = 0; s < sent.size(); ++s) {
      for (const auto& text : sent[s]) {
        const auto line = said(crowd[s].name, text);
        const auto it = counts.find(line);
        const int count = it == counts.end() ? 0 : it->second;
        if (s == i) {
          if (count != 0) ADD_FAILURE() << crowd[i].name << " got its own line back: " << line;
        } else if (count == 0) {
          ++missing;
          if (missing <= 3) ADD_FAILURE() << crowd[i].name << " never got: " << line;
        } else if (count > 1) {
          ++twice;
          if (twice <= 3) ADD_FAILURE() << crowd[i].name << " got " << count << " times: " << line;
        }
        if (it != counts.end()) counts.erase(it);
      }
    }
    for (const auto& [line, count] : counts) {
      ++foreign;
      if (foreign <= 3) ADD_FAILURE() << crowd[i].name << " got a line nobody sent: " << line;
    }
    EXPECT_EQ(missing + twice + foreign, 0u) << crowd[i].name << ": " << missing << " missing, "
                                             << twice << " more than once, " << foreign
                                             << " unknown";
    // Each sender's lines in its own order.
    for (std::size_t s = 0; s < sent.size(); ++s) {
      if (s == i) continue;
      std::vector<std::string> from;
      const std::string prefix = "[" + crowd[s].name + "@";
      for (const auto& line : received[i])
        if (line.starts_with(prefix)) from.push_back(line);
      std::vector<std::string> want;
      for (const auto& text : sent[s]) want.push_back(said(crowd[s].name, text));
      if (from != want && missing + twice + foreign == 0) {
        ADD_FAILURE() << crowd[i].name << " got " << crowd[s].name << "'s lines out of order";
      }
    }
  }
}

// ---- 1 --------------------------------------------------------------------

// Three daemons (fork, epoll, thread), 60 members (20 on each), 20 lines
// each at random moments over three seconds: every member gets every other
// member's line exactly once, none of its own, and all in one order.
TEST(ChatBus, SixtyMembersOnThreeDaemonsGetEveryLineOnceInOneOrder) {
  RedisServer redis;
  Daemons daemons;
  for (const char* model : {"fork", "epoll", "thread"})
    daemons.emplace_back(make_bus_config({.model = model, .bus = redis.url()}));
  const auto ports = ports_of(daemons);
  constexpr std::size_t kMembers = 60;
  constexpr std::size_t kLines = 20;
  constexpr auto kSpread = 3000ms;

  Crowd crowd;
  std::vector<std::pair<std::string, std::size_t>> members;
  for (std::size_t i = 0; i < kMembers; ++i) members.emplace_back("m" + std::to_string(i), i % 3);
  gather(crowd, ports, members);
  ASSERT_FALSE(HasFailure());

  // Joins: a welcome first, then one "joined" for each later member, the
  // count going up by one; the welcomes' counts are 1..60, once each.
  std::set<std::size_t> welcome_counts;
  for (std::size_t i = 0; i < kMembers; ++i) {
    const auto& lines = crowd[i].lines;
    ASSERT_FALSE(lines.empty());
    const std::string welcome = "* welcome " + crowd[i].name + "@127.0.0.1, ";
    ASSERT_TRUE(lines[0].starts_with(welcome)) << lines[0];
    const std::size_t count = std::stoul(lines[0].substr(welcome.size()));
    welcome_counts.insert(count);
    ASSERT_EQ(lines.size(), 1 + kMembers - count) << crowd.describe(3);
    for (std::size_t n = 1; n < lines.size(); ++n) {
      EXPECT_TRUE(lines[n].ends_with(" joined (" + std::to_string(count + n) + " online)"))
          << crowd[i].name << ": " << lines[n];
    }
  }
  EXPECT_EQ(welcome_counts.size(), kMembers);

  // The schedule: 20 moments a member, drawn from a seeded generator, all
  // members' interleaved in time.
  std::mt19937 random(20);
  std::uniform_int_distribution<int> moment(0, static_cast<int>(kSpread.count()));
  std::vector<std::pair<std::chrono::milliseconds, std::size_t>> schedule;
  for (std::size_t i = 0; i < kMembers; ++i)
    for (std::size_t n = 0; n < kLines; ++n)
      schedule.emplace_back(std::chrono::milliseconds(moment(random)), i);
  std::stable_sort(schedule.begin(), schedule.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  const auto marks = crowd.marks();
  std::vector<std::vector<std::string>> sent(kMembers);
  const auto start = Clock::now();
  for (const auto& [at, member] : schedule) {
    crowd.pump_until(start + at);
    auto& talker = crowd[member];
    const std::string text = talker.name + " says " + std::to_string(sent[member].size());
    sent[member].push_back(text);
    talker.say(text + "\n");
  }
  const std::size_t expected = (kMembers - 1) * kLines;
  const bool complete = crowd.pump(Deadline(kDeliveryWait), [&] {
    for (std::size_t i = 0; i < kMembers; ++i)
      if (crowd[i].lines.size() - marks[i] < expected) return false;
    return true;
  });
  const auto took = Clock::now() - start;
  std::cout << "[ info     ] " << kMembers * kLines << " lines sent over "
            << kSpread.count() << " ms, all delivered after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
  EXPECT_TRUE(complete) << crowd.describe(2);

  const auto received = said_lines(crowd, marks);
  for (std::size_t i = 0; i < kMembers; ++i) {
    EXPECT_EQ(received[i].size(), crowd[i].lines.size() - marks[i])
        << crowd[i].name << " got other lines too:\n" << crowd.describe(3);
  }
  expect_each_once(crowd, received, sent);
  expect_one_order(crowd, received);
  for (const auto& daemon : daemons) expect_no_sanitizer_reports(daemon);
}

// ---- 2 --------------------------------------------------------------------

// A name is the room's, not a daemon's: claimed on one daemon, it is
// refused on another whatever its case, until its member leaves. /who and
// the welcome count and list the members of all daemons.
TEST(ChatBus, NamesAreUniqueAcrossDaemonsAndTheRosterSpansThem) {
  RedisServer redis;
  Daemons daemons;
  for (const char* model : {"epoll", "thread", "coroutine"})
    daemons.emplace_back(make_bus_config({.model = model, .bus = redis.url()}));
  const auto ports = ports_of(daemons);

  Room room;
  join(room, ports[0], "alice");
  ASSERT_FALSE(HasFailure());
  join(room, ports[1], "bob");
  ASSERT_FALSE(HasFailure());
  join(room, ports[2], "carol");  // welcome: "3 online: alice, bob, carol"
  ASSERT_FALSE(HasFailure());
  expect_nothing_pending(room);  // /who on every daemon: all three
  ASSERT_FALSE(HasFailure());

  auto newcomer = connect_greeted(ports[1]);
  for (const char* name : {"alice", "ALICE", "Alice"}) {
    EXPECT_EQ(newcomer.write_all(std::string(name) + "\n"), IoStatus::ok);
    EXPECT_EQ(next_line(newcomer), "! name taken: " + std::string(name) + "\n");
  }
  auto other = connect_greeted(ports[2]);
  EXPECT_EQ(other.write_all("aLiCe\n"), IoStatus::ok);
  EXPECT_EQ(next_line(other), "! name taken: aLiCe\n");
  // A /nick to a name held on another daemon is refused too.
  room[1].say("/nick CAROL\n");
  EXPECT_EQ(next_line(room[1].client), "! name taken: CAROL\n");
  expect_nothing_pending(room);
  ASSERT_FALSE(HasFailure());

  room[0].say("/quit bye\n");
  expect_left(room, "alice", "bye");
  ASSERT_FALSE(HasFailure());
  // Free now: the newcomer on another daemon takes it.
  admit(room, std::move(newcomer), "alice", "127.0.0.1", "alice\n");
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(other.write_all("ALICE\n"), IoStatus::ok);
  EXPECT_EQ(next_line(other), "! name taken: ALICE\n");
  expect_nothing_pending(room);
  ASSERT_FALSE(HasFailure());
}

// ---- 3 --------------------------------------------------------------------

// A daemon killed outright says nothing: the others take it for dead once
// its presence expires (presence_ttl), announce each of its members as
// left ("server lost"), and their names are free again.
TEST(ChatBus, ADaemonKilledIsAnnouncedWithinThePresenceTime) {
  constexpr auto kTtl = 3s;
  RedisServer redis;
  Daemons daemons;
  for (const char* model : {"thread", "coroutine", "epoll"})
    daemons.emplace_back(
        make_bus_config({.model = model, .bus = redis.url(), .presence_ttl = "3s"}));
  const auto ports = ports_of(daemons);

  Room room;
  join(room, ports[0], "alice");
  ASSERT_FALSE(HasFailure());
  join(room, ports[1], "bob");
  ASSERT_FALSE(HasFailure());
  join(room, ports[2], "carol");
  ASSERT_FALSE(HasFailure());
  join(room, ports[2], "dave");
  ASSERT_FALSE(HasFailure());
  expect_nothing_pending(room);
  ASSERT_FALSE(HasFailure());

  daemons[2].send_signal(SIGKILL);
  const auto killed = Clock::now();
  ASSERT_TRUE(daemons[2].wait_exit(kWait).has_value());
  room.erase(room.begin() + 2, room.end());  // carol and dave: their daemon is gone

  // Each left line, in the same order for both, within twice the ttl and
  // a margin.
  const Deadline deadline(2 * kTtl + 2s);
  std::vector<std::string> first;
  for (auto& member : room) {
    std::vector<std::string> lines;
    lines.push_back(next_line(member.client, deadline.remaining()));
    lines.push_back(next_line(member.client, deadline.remaining()));
    const bool carol_first = lines[0].starts_with("* carol@");
    const std::string a = carol_first ? "carol" : "dave";
    const std::string b = carol_first ? "dave" : "carol";
    EXPECT_EQ(lines[0], "* " + a + "@127.0.0.1 left (3 online): server lost\n") << member.name;
    EXPECT_EQ(lines[1], "* " + b + "@127.0.0.1 left (2 online): server lost\n") << member.name;
    if (first.empty())
      first = lines;
    else
      EXPECT_EQ(lines, first) << "two members saw the leaves in different orders";
  }
  const auto took = Clock::now() - killed;
  std::cout << "[ info     ] the dead daemon's members announced after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
            << " ms (presence_ttl " << kTtl.count() << " s)\n";
  expect_nothing_pending(room);
  ASSERT_FALSE(HasFailure());

  // Their names are free: carol comes back on another daemon.
  join(room, ports[1], "carol");
  ASSERT_FALSE(HasFailure());
  join(room, ports[0], "DAVE");
  ASSERT_FALSE(HasFailure());
  expect_nothing_pending(room);
  ASSERT_FALSE(HasFailure());
}

// A daemon stopped (SIGTERM) tells the others its members left as it goes,
// long before presence_ttl; the members it closed see the server's goodbye.
void stopped_daemon_says_members_left(const char* stays, const char* stops) {
  RedisServer redis;
  Daemons daemons;
  for (const char* model : {stays, stops})
    daemons.emplace_back(
        make_bus_config({.model = model, .bus = redis.url(), .presence_ttl = "10m",
                         .shutdown_timeout = "1s"}));
  const auto ports = ports_of(daemons);

  Room room;
  join(room, ports[0], "alice");
  ASSERT_FALSE(::testing::Test::HasFailure());
  join(room, ports[1], "bob");
  ASSERT_FALSE(::testing::Test::HasFailure());
  join(room, ports[1], "carol");
  ASSERT_FALSE(::testing::Test::HasFailure());
  expect_nothing_pending(room);
  ASSERT_FALSE(::testing::Test::HasFailure());

  const auto stopped = Clock::now();
  daemons[1].send_signal(SIGTERM);
  ASSERT_TRUE(daemons[1].wait_exit(kWait).has_value());
  const Deadline deadline(5s);
  std::vector<std::string> lines;
  lines.push_back(next_line(room[0].client, deadline.remaining()));
  lines.push_back(next_line(room[0].client, deadline.remaining()));
  std::sort(lines.begin(), lines.end());
  EXPECT_TRUE(lines[0].starts_with("* bob@127.0.0.1 left (")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with("* carol@127.0.0.1 left (")) << lines[1];
  std::cout << "[ info     ] a stopped daemon's members announced after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - stopped).count()
            << " ms (presence_ttl 10 min)\n";
  // Their names are free at once.
  room.erase(room.begin() + 1, room.end());
  join(room, ports[0], "bob");
  ASSERT_FALSE(::testing::Test::HasFailure());
}

TEST(ChatBus, AStoppedDaemonSaysItsMembersLeftAtOnce) {
  stopped_daemon_says_members_left("fork", "epoll");
}

TEST(ChatBus, AStoppedForkDaemonSaysItsMembersLeftAtOnce) {
  stopped_daemon_says_members_left("thread", "fork");
}

// The bus's figures on a status listener: up while the room is linked, the
// entries published and read, and down, with a link loss, while Redis is
// stopped.
TEST(ChatBus, TheBusFiguresFollowTheLink) {
  RedisServer redis;
  const std::string config =
      make_bus_config({.model = "epoll", .bus = redis.url(), .bus_timeout = "1s"}) +
      "  - name: status\n"
      "    protocol: http\n"
      "    model: epoll\n"
      "    listen: 127.0.0.1:0\n"
      "    http:\n"
      "      status: true\n";
  Daemon daemon(config);
  const std::uint16_t port = daemon.port_of("room");
  const std::uint16_t status = daemon.port_of("status");
  // The value of the first sample of `family` (labels aside).
  const auto sample = [&](std::string_view family) {
    auto client = Client::connect(status);
    EXPECT_EQ(client.write_all(http_get("/metrics", "Connection: close\r\n")), IoStatus::ok);
    const HttpReply reply = read_reply(client, kWait);
    std::istringstream in(reply.body);
    for (std::string line; std::getline(in, line);)
      if (line.starts_with(std::string(family) + "{"))
        return line.substr(line.rfind(' ') + 1);
    return std::string("absent");
  };

  Room room;
  join(room, port, "alice");
  ASSERT_FALSE(HasFailure());
  join(room, port, "bob");
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(room[0].client.write_all("hello\n"), IoStatus::ok);
  ASSERT_EQ(next_line(room[1].client), "[alice@127.0.0.1] hello\n");
  EXPECT_EQ(sample("netcookd_chat_bus_up"), "1");
  EXPECT_GE(std::stoi(sample("netcookd_chat_bus_published_total")), 3);  // two joins, a line
  EXPECT_GE(std::stoi(sample("netcookd_chat_bus_received_total")), 3);
  EXPECT_EQ(sample("netcookd_chat_bus_link_losses_total"), "0");

  redis.pause();
  EXPECT_EQ(next_line(room[0].client, 10s), "* room link lost; reconnecting\n");
  EXPECT_EQ(sample("netcookd_chat_bus_up"), "0");
  EXPECT_EQ(sample("netcookd_chat_bus_link_losses_total"), "1");
  ASSERT_EQ(room[0].client.write_all("while it is down\n"), IoStatus::ok);
  redis.resume();
  EXPECT_EQ(next_line(room[0].client, 10s), "* room link restored\n");
  EXPECT_EQ(next_line(room[1].client, 10s), "* room link lost; reconnecting\n");
  EXPECT_EQ(next_line(room[1].client, 10s), "* room link restored\n");
  EXPECT_EQ(next_line(room[1].client, 10s), "[alice@127.0.0.1] while it is down\n");
  EXPECT_EQ(sample("netcookd_chat_bus_up"), "1");
  EXPECT_EQ(sample("netcookd_chat_bus_queued"), "0");
}

// ---- 4 --------------------------------------------------------------------

// Redis frozen (SIGSTOP) for 5 s under two daemons (thread and epoll, with
// bus_timeout 1s) and four members, two on each, who type lines as it
// freezes and while the link is down; run() does it all and waits until
// every line has reached every member and a last line from each daemon
// after it has too. The tests then look at what the members received.
class ChatBusPause : public ::testing::Test {
 protected:
  static constexpr auto kPause = 5s;

  void run() {
    for (const char* model : {"thread", "epoll"})
      daemons_.emplace_back(
          make_bus_config({.model = model, .bus = redis_.url(), .bus_timeout = "1s"}));
    const auto ports = ports_of(daemons_);
    gather(crowd_, ports, {{"alice", 0}, {"bob", 1}, {"carol", 0}, {"dave", 1}});
    ASSERT_FALSE(HasFailure());
    marks_ = crowd_.marks();
    crowd_[0].say("before the pause\n");
    ASSERT_TRUE(crowd_.pump(Deadline(kWait), [&] {
      for (std::size_t i = 1; i < crowd_.size(); ++i)
        if (crowd_[i].count(said("alice", "before the pause"), marks_[i]) == 0) return false;
      return true;
    })) << crowd_.describe();

    sent_.resize(crowd_.size());
    marks_ = crowd_.marks();
    redis_.pause();
    const auto paused = Clock::now();
    // In flight when Redis froze: the link takes it back and sends it again.
    say(0, "alice while it freezes");
    say(1, "bob while it freezes");
    const bool lost = crowd_.pump(Deadline(kPause), [&] {
      return crowd_.all_have([](const std::string& line) { return line == kLost; }, marks_);
    });
    const auto noticed = Clock::now();
    EXPECT_TRUE(lost) << "members not told within " << kPause.count() << " s:\n"
                      << crowd_.describe();
    // Typed while the link is down, on both daemons, interleaved.
    for (int n = 0; n < 3; ++n)
      for (std::size_t who = 0; who < crowd_.size(); ++who)
        say(who, crowd_[who].name + " during the pause " + std::to_string(n));
    // The rest of the pause: a wait on the members' sockets (nothing may
    // come), the pause being what is under test.
    crowd_.pump_until(std::max(paused + kPause, noticed + 1s));
    for (std::size_t i = 0; i < crowd_.size(); ++i) {
      const std::vector<std::string> during(crowd_[i].lines.begin() + marks_[i],
                                            crowd_[i].lines.end());
      EXPECT_EQ(during, std::vector<std::string>{std::string(kLost)})
          << crowd_[i].name << " got more than the notice while Redis was frozen";
    }
    redis_.resume();
    const auto resumed = Clock::now();
    std::cout << "[ info     ] Redis frozen for "
              << std::chrono::duration_cast<std::chrono::milliseconds>(resumed - paused).count()
              << " ms; members told after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(noticed - paused).count()
              << " ms\n";

    // Everything comes: each member gets every other member's lines.
    const bool complete = crowd_.pump(Deadline(kDeliveryWait), [&] {
      for (std::size_t i = 0; i < crowd_.size(); ++i) {
        if (crowd_[i].count(kRestored, marks_[i]) == 0) return false;
        std::size_t lines = 0;
        for (std::size_t n = marks_[i]; n < crowd_[i].lines.size(); ++n)
          if (crowd_[i].lines[n].starts_with("[")) ++lines;
        if (lines < expected_count(i)) return false;
      }
      return true;
    });
    const auto restored = Clock::now();
    EXPECT_TRUE(complete) << crowd_.describe(20);
    std::cout << "[ info     ] all delivered "
              << std::chrono::duration_cast<std::chrono::milliseconds>(restored - resumed).count()
              << " ms after Redis resumed\n";

    // A last line from each daemon: whatever was to come twice has come.
    const auto before_last = crowd_.marks();
    say(0, "alice after");
    say(1, "bob after");
    ASSERT_TRUE(crowd_.pump(Deadline(kWait), [&] {
      for (std::size_t i = 0; i < crowd_.size(); ++i) {
        if (i != 0 && crowd_[i].count(said("alice", "alice after"), before_last[i]) == 0)
          return false;
        if (i != 1 && crowd_[i].count(said("bob", "bob after"), before_last[i]) == 0)
          return false;
      }
      return true;
    })) << crowd_.describe(10);
  }

  void say(std::size_t who, const std::string& text) {
    sent_[who].push_back(text);
    crowd_[who].say(text + "\n");
  }

  // Lines member i is to receive: all but its own.
  std::size_t expected_count(std::size_t i) const {
    std::size_t count = 0;
    for (std::size_t s = 0; s < sent_.size(); ++s)
      if (s != i) count += sent_[s].size();
    return count;
  }

  RedisServer redis_;
  Daemons daemons_;
  Crowd crowd_;
  std::vector<std::size_t> marks_;              // where the pause began
  std::vector<std::vector<std::string>> sent_;  // from the pause on
};

// Members stay, are told once that the link is lost and once that it is
// back; what they typed meanwhile, on every daemon, is delivered
// afterwards, in order, exactly once.
TEST_F(ChatBusPause, NothingIsLostOrDuplicated) {
  run();
  ASSERT_FALSE(HasFailure());
  for (std::size_t i = 0; i < crowd_.size(); ++i) {
    const auto& talker = crowd_[i];
    EXPECT_EQ(talker.count(kLost, marks_[i]), 1u) << talker.name;
    EXPECT_EQ(talker.count(kRestored, marks_[i]), 1u) << talker.name;
    for (std::size_t n = marks_[i]; n < talker.lines.size(); ++n) {
      const auto& line = talker.lines[n];
      if (line == kLost || line == kRestored) continue;
      EXPECT_TRUE(line.starts_with("[")) << talker.name << " got: " << line;
    }
  }
  const auto received = said_lines(crowd_, marks_);
  expect_each_once(crowd_, received, sent_);
  expect_one_order(crowd_, received);
  for (const auto& daemon : daemons_) {
    EXPECT_TRUE(daemon.find_line("bus link lost")) << "no log line for the loss";
    EXPECT_TRUE(daemon.find_line("bus link restored")) << "no log line for the return";
    expect_no_sanitizer_reports(daemon);
  }
}

// "* room link restored" comes before the lines that waited for the link:
// a member told the link is lost sees no line of the room until it is told
// the link is back.
TEST_F(ChatBusPause, NoLineComesBeforeTheRestoredNotice) {
  run();
  ASSERT_FALSE(HasFailure());
  for (std::size_t i = 0; i < crowd_.size(); ++i) {
    const auto& talker = crowd_[i];
    const std::size_t lost_at = talker.find(kLost, marks_[i]);
    const std::size_t restored_at = talker.find(kRestored, marks_[i]);
    for (std::size_t n = lost_at; n < restored_at; ++n) {
      if (talker.lines[n] != kLost)
        ADD_FAILURE() << talker.name << " got a line after \"" << kLost << "\" and before \""
                      << kRestored << "\": " << talker.lines[n];
    }
  }
}

// ---- 5 --------------------------------------------------------------------

// The "* N online: a, b" answer as a set of names, or nullopt.
std::optional<std::set<std::string>> roster_of(const std::string& who_line) {
  const auto colon = who_line.find(" online: ");
  if (!who_line.starts_with("* ") || colon == std::string::npos) return std::nullopt;
  std::set<std::string> names;
  std::string rest = who_line.substr(colon + 9);
  for (std::size_t start = 0;;) {
    const auto comma = rest.find(", ", start);
    names.insert(rest.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 2;
  }
  return names;
}

// Asks /who as `member` until the answer names exactly `names` (the
// daemons re-announce their members on their own time) or `deadline`.
// Returns the last answer.
std::string who_until(Crowd& crowd, std::size_t member, const std::set<std::string>& names,
                      const Deadline& deadline) {
  std::string answer;
  while (!deadline.expired()) {
    const std::size_t mark = crowd[member].lines.size();
    crowd[member].say("/who\n");
    std::size_t found = 0;
    if (!crowd.pump(deadline, [&] {
          for (std::size_t n = mark; n < crowd[member].lines.size(); ++n) {
            if (crowd[member].lines[n].find(" online: ") != std::string::npos &&
                !crowd[member].lines[n].starts_with("* welcome")) {
              found = n;
              return true;
            }
          }
          return false;
        }))
      break;
    answer = crowd[member].lines[found];
    if (roster_of(answer) == names &&
        answer.starts_with("* " + std::to_string(names.size()) + " online: "))
      break;
  }
  return answer;
}

// Redis restarted empty: the daemons find the room forgot their members,
// announce them again without a word to anybody, and the room goes on.
TEST(ChatBus, ARedisRestartedEmptyIsRepopulatedQuietly) {
  RedisServer redis;
  Daemons daemons;
  for (const char* model : {"thread", "epoll"})
    daemons.emplace_back(make_bus_config({.model = model, .bus = redis.url()}));
  const auto ports = ports_of(daemons);
  Crowd crowd;
  gather(crowd, ports, {{"alice", 0}, {"bob", 1}, {"carol", 0}});
  ASSERT_FALSE(HasFailure());

  const auto marks = crowd.marks();
  const std::size_t log_marks[] = {daemons[0].log_mark(), daemons[1].log_mark()};
  redis.restart();
  ASSERT_TRUE(crowd.pump(Deadline(kWait), [&] {
    return crowd.all_have([](const std::string& line) { return line == kRestored; }, marks);
  })) << crowd.describe();

  // Each daemon noticed the room forgot its members (the log says so).
  for (std::size_t d = 0; d < daemons.size(); ++d)
    EXPECT_NO_THROW(daemons[d].wait_for_line("forgotten this daemon's members", kWait,
                                             log_marks[d]));

  const std::set<std::string> everybody = {"alice", "bob", "carol"};
  const Deadline deadline(kWait);
  for (std::size_t i = 0; i < crowd.size(); ++i) {
    const auto answer = who_until(crowd, i, everybody, deadline);
    EXPECT_EQ(roster_of(answer), everybody) << crowd[i].name << ": " << answer;
    EXPECT_TRUE(answer.starts_with("* 3 online: ")) << answer;
  }

  // Lines flow both ways again.
  const auto before = crowd.marks();
  crowd[0].say("alice after the restart\n");
  crowd[1].say("bob after the restart\n");
  ASSERT_TRUE(crowd.pump(Deadline(kWait), [&] {
    return crowd[0].count(said("bob", "bob after the restart"), before[0]) == 1 &&
           crowd[1].count(said("alice", "alice after the restart"), before[1]) == 1 &&
           crowd[2].count(said("alice", "alice after the restart"), before[2]) == 1 &&
           crowd[2].count(said("bob", "bob after the restart"), before[2]) == 1;
  })) << crowd.describe();

  // A name still held is still refused on the other daemon.
  auto newcomer = connect_greeted(ports[1]);
  EXPECT_EQ(newcomer.write_all("carol\n"), IoStatus::ok);
  EXPECT_EQ(next_line(newcomer), "! name taken: carol\n");

  // Nobody saw anybody leave or join: a rejoin is quiet.
  for (std::size_t i = 0; i < crowd.size(); ++i) {
    const auto& talker = crowd[i];
    EXPECT_EQ(talker.count(kLost, marks[i]), 1u) << talker.name;
    EXPECT_EQ(talker.count(kRestored, marks[i]), 1u) << talker.name;
    for (std::size_t n = marks[i]; n < talker.lines.size(); ++n) {
      const auto& line = talker.lines[n];
      EXPECT_TRUE(line.find(" left (") == std::string::npos &&
                  line.find(" joined (") == std::string::npos)
          << talker.name << " saw: " << line;
    }
  }
}

// ---- 6 --------------------------------------------------------------------

// A new member gets the room's last 20 lines (the default) after its
// welcome, /me included and from whichever daemon they came; with
// `history: 0` it gets none.
TEST(ChatBus, ANewMemberGetsTheRoomsLastLines) {
  RedisServer redis;
  Daemons daemons;
  daemons.emplace_back(make_bus_config({.model = "epoll", .bus = redis.url()}));
  daemons.emplace_back(make_bus_config({.model = "thread", .bus = redis.url()}));
  daemons.emplace_back(make_bus_config({.model = "epoll", .bus = redis.url(), .history = "0"}));
  const auto ports = ports_of(daemons);

  Room room;
  join(room, ports[0], "alice");
  ASSERT_FALSE(HasFailure());
  join(room, ports[1], "bob");
  ASSERT_FALSE(HasFailure());
  std::vector<std::string> lines;  // as the others see them
  for (int n = 0; n < 24; ++n) {
    auto& speaker = room[n % 2];
    const std::string text = "line " + std::to_string(n);
    speaker.say(text + "\n");
    lines.push_back(said(speaker.name, text));
    EXPECT_EQ(next_line(room[1 - n % 2].client), lines.back() + "\n");
  }
  room[0].say("/me waves\n");
  lines.push_back("* alice waves");
  EXPECT_EQ(next_line(room[1].client), "* alice waves\n");
  ASSERT_FALSE(HasFailure());

  auto& carol = join(room, ports[1], "carol");
  ASSERT_FALSE(HasFailure());
  std::vector<std::string> last(lines.end() - 20, lines.end());
  for (auto& line : last) line += "\n";
  expect_history(carol, last);
  ASSERT_FALSE(HasFailure());

  join(room, ports[2], "dave");  // history: 0
  ASSERT_FALSE(HasFailure());
  expect_nothing_pending(room);  // dave's next line is the /who answer
  ASSERT_FALSE(HasFailure());
}

// ---- 7 --------------------------------------------------------------------

// The models test 1 leaves out, select and coroutine, as bus members (one
// through Redis's TCP port, the other through its unix socket): lines,
// /me, /nick and /quit cross between them.
TEST(ChatBus, SelectAndCoroutineDaemonsShareARoom) {
  RedisServer redis;
  Daemons daemons;
  daemons.emplace_back(make_bus_config({.model = "select", .bus = redis.url()}));
  // The same server through its unix socket: the same room.
  daemons.emplace_back(
      make_bus_config({.model = "coroutine", .bus = "redis+unix://" + redis.unix_path()}));
  const auto ports = ports_of(daemons);

  Room room;
  join(room, ports[0], "alice");
  ASSERT_FALSE(HasFailure());
  join(room, ports[1], "bob");
  ASSERT_FALSE(HasFailure());
  join(room, ports[0], "carol");
  ASSERT_FALSE(HasFailure());

  room[0].say("hello from select\n");
  expect_others_get(room, room[0], "[alice@127.0.0.1] hello from select\n");
  ASSERT_FALSE(HasFailure());
  room[1].say("hello from coroutine\n");
  expect_others_get(room, room[1], "[bob@127.0.0.1] hello from coroutine\n");
  ASSERT_FALSE(HasFailure());
  room[1].say("/me waves\n");
  expect_others_get(room, room[1], "* bob waves\n");
  ASSERT_FALSE(HasFailure());
  room[1].say("/nick robert\n");
  EXPECT_EQ(next_line(room[1].client), "* you are now robert\n");
  expect_others_get(room, room[1], "* bob is now robert\n");
  ASSERT_FALSE(HasFailure());
  room[1].name = "robert";
  room[2].say("hi robert\n");
  expect_others_get(room, room[2], "[carol@127.0.0.1] hi robert\n");
  ASSERT_FALSE(HasFailure());
  expect_nothing_pending(room);
  ASSERT_FALSE(HasFailure());
  room[1].say("/quit see you\n");
  expect_left(room, "robert", "see you");
  ASSERT_FALSE(HasFailure());
  expect_nothing_pending(room);
  ASSERT_FALSE(HasFailure());
  for (const auto& daemon : daemons) expect_no_sanitizer_reports(daemon);
}

// ---- 8 --------------------------------------------------------------------

// Redis with a password: daemons given it in a file (bus_password_file,
// absolute or a credential's name) link and share the room, and never write it in their output; a daemon
// given a wrong one keeps running and says that authentication failed.
TEST(ChatBus, APasswordFromAFileWorksAndIsNeverLogged) {
  const std::string password = "pw-" + std::to_string(std::random_device{}()) + "-secret";
  RedisServer redis({.password = password});
  TempDir secrets;
  // With a line break at the end, as `echo` writes it: not part of it.
  const auto right = secrets.write_file("redis-password", password + "\n");
  const std::string wrong_password = "wrong-" + std::to_string(std::random_device{}());
  const auto wrong = secrets.write_file("wrong-password", wrong_password);

  Daemons daemons;
  daemons.emplace_back(
      make_bus_config({.model = "epoll", .bus = redis.url(), .bus_password_file = right}));
  // A plain name: a credential in $CREDENTIALS_DIRECTORY (LoadCredential=).
  daemons.emplace_back(
      make_bus_config({.model = "thread", .bus = redis.url(), .bus_password_file = "redis-password"}),
      DaemonOptions{.env = {"CREDENTIALS_DIRECTORY=" + secrets.path()}});
  const auto ports = ports_of(daemons);
  Room room;
  join(room, ports[0], "alice");
  ASSERT_FALSE(HasFailure());
  join(room, ports[1], "bob");
  ASSERT_FALSE(HasFailure());
  room[0].say("the password works\n");
  expect_others_get(room, room[0], "[alice@127.0.0.1] the password works\n");
  ASSERT_FALSE(HasFailure());
  expect_nothing_pending(room);
  ASSERT_FALSE(HasFailure());

  Daemon refused(make_bus_config(
      {.model = "epoll", .bus = redis.url(), .bus_password_file = wrong}));
  refused.wait_for_line("authentication failed");
  EXPECT_FALSE(refused.wait_exit(Timeout{0}).has_value()) << "a wrong password ended the daemon";
  // It still serves its listener: a client is greeted.
  connect_greeted(refused.port_of("room"));

  for (const Daemon* daemon : {&daemons[0], &daemons[1], &refused}) {
    for (const auto* output : {&daemon->log(), &daemon->out()}) {
      EXPECT_EQ(output->count(password), 0u) << "the password is in the daemon's output";
      EXPECT_EQ(output->count(wrong_password), 0u) << "the wrong password is in the output";
    }
  }
}

}  // namespace
}  // namespace netcook::test
