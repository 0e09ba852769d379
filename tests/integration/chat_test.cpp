// The chat protocol through the real daemon, once per model (and epoll and
// coroutine with two workers): the whole exchange byte for byte; name rules
// and /nick collisions, including racing members; fan-out to a hundred
// members in per-sender order; a member that never reads (cut off, memory
// bounded); control characters and bad UTF-8; Telnet commands; max_line;
// max_members and max_connections; SIGHUP keeping the room; IPv6 and
// dual-stack addresses; reset and idle members leaving; and (fork only) a
// connection process killed under a member.
//
// Every wait is a line read or a log line with a bounded timeout; a
// member's lines are read in lockstep, so when a test reads a member's
// /who answer as its next line, nothing else can be pending for it.

#include "chat_room.hpp"
#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "models.hpp"
#include "proc_tree.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::test {
namespace {

using namespace std::string_literals;

// How much the daemon may grow while a member that never reads is cut off:
// its backlog is capped at max_outbox (64 KiB here). AddressSanitizer keeps
// freed memory in quarantine (hundreds of MiB), so RSS means little there;
// the bound is looser but still far below what an unbounded backlog (MiBs
// per second of chat) would reach.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kRssGrowthKib = 128 * 1024;
#else
constexpr long kRssGrowthKib = 16 * 1024;
#endif

const std::string kInvalidName = "! invalid name: 1-32 ASCII letters, digits, '.', '-' or '_'\n";

class Chat : public ::testing::TestWithParam<ModelCase> {
 protected:
  ChatListener listener(const std::string& name = "room") const {
    return {.name = name, .model = GetParam().model, .workers = GetParam().workers};
  }
};

// ---- the tests ----

TEST_P(Chat, ThreeMembersFullExchange) {
  Daemon daemon(make_chat_config({listener()}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "alice");

  // Names: empty lines skipped, invalid and taken names refused, "NAME: "
  // ignored.
  auto bob = connect_greeted(port);
  ASSERT_EQ(bob.write_all("\n\nbad name!\n"), IoStatus::ok);
  EXPECT_EQ(next_line(bob), kInvalidName);
  ASSERT_EQ(bob.write_all("ALICE\n"), IoStatus::ok);
  EXPECT_EQ(next_line(bob), "! name taken: ALICE\n");
  admit(room, std::move(bob), "bob", "127.0.0.1", "NAME: bob\n");
  admit(room, connect_greeted(port), "carol", "127.0.0.1", "carol\r\n");
  ASSERT_FALSE(HasFailure());
  auto& alice = room[0];
  auto& bob_member = room[1];
  auto& carol = room[2];

  alice.say("hello, all\n");
  expect_others_get(room, alice, "[alice@127.0.0.1] hello, all\n");
  bob_member.say("\n");          // ignored
  expect_nothing_pending(room);  // alice's own line did not come back

  carol.say("/me waves\n");
  expect_others_get(room, carol, "* carol waves\n");

  bob_member.say("/nick Carol\n");
  EXPECT_EQ(next_line(bob_member.client), "! name taken: Carol\n");
  bob_member.say("/nick bad name\n");
  EXPECT_EQ(next_line(bob_member.client), kInvalidName);
  bob_member.say("/nick robert\n");
  EXPECT_EQ(next_line(bob_member.client), "* you are now robert\n");
  expect_others_get(room, bob_member, "* bob is now robert\n");
  bob_member.name = "robert";

  alice.say("/dance now\n");
  EXPECT_EQ(next_line(alice.client), "! unknown command: /dance\n");
  bob_member.say("hi from robert\n");
  expect_others_get(room, bob_member, "[robert@127.0.0.1] hi from robert\n");
  expect_nothing_pending(room);

  // /quit: the server closes; the others hear it, and why.
  carol.say("/quit bye now\n");
  EXPECT_EQ(carol.client.wait_closed(kWait), IoStatus::closed);
  expect_left(room, "carol", "bye now");
  // End of file from alice.
  room[0].client.shutdown_write();
  EXPECT_EQ(room[0].client.wait_closed(kWait), IoStatus::closed);
  expect_left(room, "alice");
  expect_nothing_pending(room);
  EXPECT_EQ(roster(room), "robert");
}

TEST_P(Chat, NickCollisionsIgnoreCase) {
  Daemon daemon(make_chat_config({listener()}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "alice");
  join(room, port, "bob");
  ASSERT_FALSE(HasFailure());

  room[1].say("/nick ALICE\n");
  EXPECT_EQ(next_line(room[1].client), "! name taken: ALICE\n");
  room[1].say("/nick aLiCe\n");
  EXPECT_EQ(next_line(room[1].client), "! name taken: aLiCe\n");
  // A member may respell its own name.
  room[0].say("/nick ALICE\n");
  EXPECT_EQ(next_line(room[0].client), "* you are now ALICE\n");
  EXPECT_EQ(next_line(room[1].client), "* alice is now ALICE\n");
  room[0].name = "ALICE";
  room[1].say("/nick alice\n");
  EXPECT_EQ(next_line(room[1].client), "! name taken: alice\n");

  // A newcomer meets the same rules.
  auto newcomer = connect_greeted(port);
  ASSERT_EQ(newcomer.write_all("Alice\n"), IoStatus::ok);
  EXPECT_EQ(next_line(newcomer), "! name taken: Alice\n");
  ASSERT_EQ(newcomer.write_all("NAME: BOB\n"), IoStatus::ok);
  EXPECT_EQ(next_line(newcomer), "! name taken: BOB\n");
  ASSERT_EQ(newcomer.write_all(std::string(33, 'x') + "\n"), IoStatus::ok);
  EXPECT_EQ(next_line(newcomer), kInvalidName);
  admit(room, std::move(newcomer), "carol", "127.0.0.1", "carol\n");

  // Name length and characters.
  room[2].say("/nick\n");
  EXPECT_EQ(next_line(room[2].client), "! usage: /nick NAME\n");
  room[2].say("/nick caröl\n");
  EXPECT_EQ(next_line(room[2].client), kInvalidName);
  const std::string longest = "Az09_.-" + std::string(25, 'q');
  room[2].say("/nick " + longest + "\n");
  EXPECT_EQ(next_line(room[2].client), "* you are now " + longest + "\n");
  expect_others_get(room, room[2], "* carol is now " + longest + "\n");
  room[2].name = longest;

  // A name freed by a rename is free for others.
  room[0].say("/nick alison\n");
  EXPECT_EQ(next_line(room[0].client), "* you are now alison\n");
  expect_others_get(room, room[0], "* ALICE is now alison\n");
  room[0].name = "alison";
  room[1].say("/nick Alice\n");
  EXPECT_EQ(next_line(room[1].client), "* you are now Alice\n");
  expect_others_get(room, room[1], "* bob is now Alice\n");
  room[1].name = "Alice";

  // The same spelling again: only the sender hears of it.
  room[1].say("/nick Alice\n");
  EXPECT_EQ(next_line(room[1].client), "* you are now Alice\n");
  expect_nothing_pending(room);
  // A member leaves under its latest name.
  room[2].say("/quit\n");
  EXPECT_EQ(room[2].client.wait_closed(kWait), IoStatus::closed);
  expect_left(room, longest);
  expect_nothing_pending(room);
}

// `name` with the case of each letter flipped where `pattern` has a 1 bit.
std::string case_variant(std::string name, unsigned pattern) {
  for (std::size_t i = 0; i < name.size() && i < 32; ++i) {
    const char c = name[i];
    if ((pattern >> i & 1u) == 0) continue;
    if (c >= 'a' && c <= 'z') name[i] = static_cast<char>(c - 'a' + 'A');
    if (c >= 'A' && c <= 'Z') name[i] = static_cast<char>(c - 'A' + 'a');
  }
  return name;
}

// Rounds of a race: the racers (room[1...]) ask at once for one name, each
// in its own spelling. The hub takes the first request; every other racer
// was refused after that, so it must hear "<winner> is now <name>" before its
// own "! name taken": a reply never overtakes what the hub sent before it.
void race_for_names(Room& room, int rounds) {
  const std::size_t racers = room.size() - 1;
  const auto racer = [&](std::size_t i) -> Member& { return room[i + 1]; };
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::string> wanted;
    for (std::size_t i = 0; i < racers; ++i) {
      wanted.push_back(case_variant("prize" + std::to_string(round), static_cast<unsigned>(i)));
      racer(i).say("/nick " + wanted[i] + "\n");
    }
    std::vector<std::string> first;
    std::size_t winner = racers;
    for (std::size_t i = 0; i < racers; ++i) {
      first.push_back(next_line(racer(i).client));
      if (first[i] != "* you are now " + wanted[i] + "\n") continue;
      ASSERT_EQ(winner, racers) << "two winners in round " << round;
      winner = i;
    }
    ASSERT_NE(winner, racers) << "no winner in round " << round << "; racer0 got " << first[0];
    const std::string renamed = "* " + racer(winner).name + " is now " + wanted[winner] + "\n";
    racer(winner).name = wanted[winner];
    EXPECT_EQ(next_line(room[0].client), renamed);
    for (std::size_t i = 0; i < racers; ++i) {
      if (i == winner) continue;
      EXPECT_EQ(first[i], renamed) << "racer" << i << ", round " << round;
      const bool in_order = first[i] == renamed;
      const auto second = in_order ? next_line(racer(i).client) : first[i];
      if (!in_order) next_line(racer(i).client);  // the rename, late
      EXPECT_EQ(second, "! name taken: " + wanted[i] + "\n") << "racer" << i;
    }
    ASSERT_FALSE(::testing::Test::HasFailure()) << "round " << round;
  }
  expect_nothing_pending(room);
}

// With several workers the order can only break between members served by
// different workers, and an idle first worker takes nearly every accept: so
// the race runs on several fresh daemons, each a new draw of who is where.
TEST_P(Chat, NickRaceLosersHearTheWinnerFirst) {
  constexpr std::size_t kRacers = 6;
  const int daemons = GetParam().workers > 1 ? 12 : 1;
  for (int attempt = 0; attempt < daemons && !HasFailure(); ++attempt) {
    SCOPED_TRACE("daemon #" + std::to_string(attempt + 1));
    Daemon daemon(make_chat_config({listener()}));
    const auto port = daemon.port_of("room");
    Room room;
    join(room, port, "watcher");
    for (std::size_t i = 0; i < kRacers; ++i) join(room, port, "racer" + std::to_string(i));
    ASSERT_FALSE(HasFailure());
    race_for_names(room, 30);
  }
}

// 100 members; two of them send 200 lines each at once. Every other member
// gets every line of each sender in that sender's order, and nothing else.
TEST_P(Chat, HundredMembersGetEveryLineInOrder) {
  constexpr int kMembers = 100;
  constexpr int kLines = 200;
  auto spec = listener();
  spec.rate = "unlimited";  // about fan-out, not flood control (chat_flood_test.cpp)
  Daemon daemon(make_chat_config({spec}));
  const auto port = daemon.port_of("room");
  Room room;
  for (int i = 0; i < kMembers; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "m%03d", i);
    admit(room, connect_greeted(port), name, "127.0.0.1", std::string(name) + "\n");
    ASSERT_FALSE(HasFailure()) << "joining " << name;
  }

  std::vector<Member*> senders{&room.front(), &room.back()};
  for (auto* sender : senders) {
    std::string lines;
    for (int n = 0; n < kLines; ++n) {
      lines += "line " + std::to_string(n) + " from " + sender->name + "\n";
    }
    sender->say(lines);
  }
  const Deadline deadline(kLongWait);
  for (auto& member : room) {
    std::vector<int> next(senders.size(), 0);  // per sender
    const bool is_sender = &member == senders[0] || &member == senders[1];
    const int expected = is_sender ? kLines : 2 * kLines;
    for (int got = 0; got < expected; ++got) {
      const auto line = next_line(member.client, deadline.remaining());
      const auto who = line.starts_with("[" + senders[0]->at() + "] ") ? 0 : 1;
      ASSERT_EQ(line, "[" + senders[who]->at() + "] line " + std::to_string(next[who]) + " from " +
                          senders[who]->name + "\n")
          << "at " << member.name << " after " << got << " lines";
      ++next[who];
    }
  }
  expect_nothing_pending(room);
}

// A member that never reads, with a small receive buffer, while others
// chat: cut off once its unsent output passes chat.max_outbox; the others
// hear it left and go on; the daemon's memory stays bounded.
TEST_P(Chat, MemberThatNeverReadsIsCutOff) {
  auto spec = listener();
  spec.max_outbox = "64KiB";
  spec.rate = "unlimited";  // the talker sends megabytes at once
  Daemon daemon(make_chat_config({spec}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "talker");
  join(room, port, "reader");
  join(room, port, "sloth", {.receive_buffer = 4096});
  ASSERT_FALSE(HasFailure());
  auto& talker = room[0];
  auto& reader = room[1];
  const std::string left = "* sloth@127.0.0.1 left (2 online)\n";
  const long rss_before = tree_rss_kib(daemon.pid());

  constexpr std::size_t kMaxVolume = std::size_t{32} << 20;  // without a cut-off
  const std::string filler(1000, '.');
  const Deadline deadline(2 * kLongWait);
  std::size_t sent = 0;
  std::size_t sent_before_cut = 0;
  int number = 0;
  int batches_after_cut = 0;
  while (batches_after_cut < 8) {
    ASSERT_LT(sent, kMaxVolume) << "sloth never cut off";
    std::string batch;
    std::vector<std::string> expected;
    for (int i = 0; i < 32; ++i) {
      const std::string line = std::to_string(number++) + " " + filler + "\n";
      batch += line;
      expected.push_back("[talker@127.0.0.1] " + line);
    }
    ASSERT_EQ(talker.client.write_all(batch, deadline.remaining()), IoStatus::ok);
    sent += batch.size();
    if (sent_before_cut != 0) ++batches_after_cut;
    for (const auto& want : expected) {
      auto got = next_line(reader.client, deadline.remaining());
      if (got == left) {
        ASSERT_EQ(sent_before_cut, 0u) << "a second left line";
        sent_before_cut = sent;
        got = next_line(reader.client, deadline.remaining());
      }
      ASSERT_EQ(got, want) << "after " << sent << " bytes";
    }
  }
  EXPECT_EQ(next_line(talker.client), left);
  const long rss_after = tree_rss_kib(daemon.pid());

  // The sloth's connection ends (after what the kernel still held).
  auto& sloth = room[2].client;
  sloth.read_exact(kMaxVolume, kWait);
  const bool ended = sloth.last_status() == IoStatus::closed ||
                     (sloth.last_status() == IoStatus::error && sloth.last_error() == ECONNRESET);
  EXPECT_TRUE(ended) << sloth.last_status() << " errno " << sloth.last_error();
  room.pop_back();
  expect_nothing_pending(room);

  std::cout << "[ info     ] cut off after " << (sent_before_cut >> 10) << " KiB; RSS "
            << rss_before << " -> " << rss_after << " KiB (daemon and descendants)\n";
  EXPECT_LT(sent_before_cut, std::size_t{8} << 20) << "the cut-off came late";
  EXPECT_LT(rss_after, rss_before + kRssGrowthKib) << "the daemon grew with the sloth's backlog";
}

TEST_P(Chat, ControlCharactersAndBadUtf8AreCleanedUp) {
  Daemon daemon(make_chat_config({listener()}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "alice");

  // In names: what is left after cleaning must be a valid name.
  auto bob = connect_greeted(port);
  ASSERT_EQ(bob.write_all("\x1b[31m\n"), IoStatus::ok);
  EXPECT_EQ(next_line(bob), kInvalidName);
  admit(room, std::move(bob), "bob", "127.0.0.1",
        "\x1b\x07"
        "b\x7fo\xc2\x9b"
        "b\r\n");
  ASSERT_FALSE(HasFailure());
  auto& alice = room[0];
  auto& bob_member = room[1];

  // ESC, BEL, DEL, C1 (CSI as C2 9B, NEL as C2 85) go; TAB, NBSP and other
  // UTF-8 stay; every ill-formed sequence becomes one U+FFFD (0xFE here:
  // 0xFF would be Telnet's IAC).
  bob_member.say(
      "\x1b[31mred\x1b[0m\x07 bell\x7f c1:\xc2\x9b"
      "2J\xc2\x85 tab\there nbsp:\xc2\xa0 "
      "euro:\xe2\x82\xac bad:\xfe cut:\xe2\x82! mid\rcr\r\n");
  EXPECT_EQ(next_line(alice.client),
            "[bob@127.0.0.1] [31mred[0m bell c1:2J tab\there nbsp:\xc2\xa0 "
            "euro:\xe2\x82\xac bad:\xef\xbf\xbd cut:\xef\xbf\xbd! midcr\n");
  // A raw C1 byte, an overlong slash and a surrogate are not UTF-8; a
  // four-byte character is.
  bob_member.say("raw:\x9b over:\xc0\xaf sur:\xed\xa0\x80 smile:\xf0\x9f\x98\x80\n");
  const std::string bad = "\xef\xbf\xbd";
  EXPECT_EQ(next_line(alice.client), "[bob@127.0.0.1] raw:" + bad + " over:" + bad + bad +
                                         " sur:" + bad + bad + bad + " smile:\xf0\x9f\x98\x80\n");
  // Bidirectional-text controls (RLO, PDF, LRI, PDI) and zero-width
  // characters (ZWSP, RLM, BOM) go too.
  bob_member.say(
      "\xe2\x80\xaerev\xe2\x80\xac \xe2\x81\xa6iso\xe2\x81\xa9 "
      "z\xe2\x80\x8bw\xe2\x80\x8fs\xef\xbb\xbf\n");
  EXPECT_EQ(next_line(alice.client), "[bob@127.0.0.1] rev iso zws\n");
  // A line of nothing but controls is an empty line: ignored.
  bob_member.say("\x1b\x07\x7f\xc2\x9b\xe2\x80\x8b\r\n\r\n");
  bob_member.say("/me \x1b]0;title\x07waves\n");
  EXPECT_EQ(next_line(alice.client), "* bob ]0;titlewaves\n");
  bob_member.say("/nick \x1b[1mX\n");
  EXPECT_EQ(next_line(bob_member.client), kInvalidName);
  bob_member.say(
      "/nick ro\x1b"
      "b\x07"
      "by\n");
  EXPECT_EQ(next_line(bob_member.client), "* you are now robby\n");
  EXPECT_EQ(next_line(alice.client), "* bob is now robby\n");
  bob_member.name = "robby";
  expect_nothing_pending(room);
}

// Replies that tell a client with no manual what to do: the greeting
// points to /help, which works before a name as after; other commands
// before a name ask for it; refusals say the rule, and max_line is the
// listener's own (under fork the room lives in the fork master, with the
// settings it was sent).
TEST_P(Chat, RepliesExplainThemselves) {
  auto spec = listener();
  spec.max_line = "100B";
  Daemon daemon(make_chat_config({spec}));
  const auto port = daemon.port_of("room");
  const std::string help =
      "* commands (any other line is sent to the room):\n"
      "* /who - who is online\n"
      "* /nick NAME - change your name\n"
      "* /me TEXT - the others see: * NAME TEXT\n"
      "* /quit [REASON] - leave; the others see REASON\n"
      "* /help - this list\n";
  Room room;
  join(room, port, "alice");

  auto bob = Client::connect(port);
  EXPECT_EQ(next_line(bob), "* welcome to netcookd chat; send your name (/help for commands)\n");
  ASSERT_EQ(bob.write_all("/help\r\n"), IoStatus::ok);
  EXPECT_EQ(bob.read_exact(help.size()), help);
  ASSERT_EQ(bob.write_all("/who\n"), IoStatus::ok);
  EXPECT_EQ(next_line(bob), "! send your name first\n");
  ASSERT_EQ(bob.write_all("bob!\n"), IoStatus::ok);
  EXPECT_EQ(next_line(bob), kInvalidName);
  ASSERT_EQ(bob.write_all(std::string(101, 'b') + "\n"), IoStatus::ok);
  EXPECT_EQ(next_line(bob), "! line too long (limit 100 bytes)\n");
  admit(room, std::move(bob), "bob", "127.0.0.1", "bob\n");
  ASSERT_FALSE(HasFailure());

  room[1].say("/nick\n");
  EXPECT_EQ(next_line(room[1].client), "! usage: /nick NAME\n");
  room[1].say("/help\n");
  EXPECT_EQ(room[1].client.read_exact(help.size()), help);
  room[1].say(std::string(100, 'b') + "\r\n");  // the limit itself is fine
  EXPECT_EQ(next_line(room[0].client), "[bob@127.0.0.1] " + std::string(100, 'b') + "\n");
  expect_nothing_pending(room);
}

// A telnet(1) user: its option negotiation, window size and Ctrl-C (IAC IP)
// are taken out before lines are read, also when a write cuts a command;
// every option it asks for is refused; IAC IAC is a 0xFF byte of text.
TEST_P(Chat, TelnetCommandsAreTakenOut) {
  Daemon daemon(make_chat_config({listener()}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "bob");
  // DO SGA, WILL NAWS, SB NAWS 80x24 SE: refused (WONT SGA, DONT NAWS)
  // before anything else; then the name.
  auto telnet = connect_greeted(port);
  ASSERT_EQ(telnet.write_all("\xff\xfd\x03\xff\xfb\x1f\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0"s),
            IoStatus::ok);
  EXPECT_EQ(telnet.read_exact(6), "\xff\xfc\x03\xff\xfe\x1f");
  admit(room, std::move(telnet), "alice", "127.0.0.1", "alice\r\n");
  ASSERT_FALSE(HasFailure());
  auto& bob = room[0];
  auto& alice = room[1];

  // Ctrl-C (IAC IP, IAC DO TIMING-MARK) right before a command, in pieces:
  // WONT TIMING-MARK comes first, so telnet(1) shows the answer.
  alice.say("\xff");
  alice.say("\xf4\xff\xfd");
  alice.say("\x06/who\r\n");
  EXPECT_EQ(alice.client.read_exact(3), "\xff\xfc\x06");
  EXPECT_EQ(next_line(alice.client), "* 2 online: bob, alice\n");
  alice.say("hel\xff\xf1lo \xff\xff!\r\n");  // NOP in a word; a 0xFF byte
  EXPECT_EQ(next_line(bob.client), "[alice@127.0.0.1] hello \xef\xbf\xbd!\n");
  alice.say("/me \xff\xfa\x18\x00xterm\xff\xf0waves\r\n"s);  // SB TTYPE IS ... SE
  EXPECT_EQ(next_line(bob.client), "* alice waves\n");
  alice.say("\xff\xf4\r\n");  // a line of nothing but IP: ignored
  expect_nothing_pending(room);
  alice.say("\xff\xf4/quit\r\n");
  EXPECT_EQ(alice.client.wait_closed(kWait), IoStatus::closed);
  expect_left(room, "alice");
}

TEST_P(Chat, LineOverMaxLineIsRefusedAndTheConnectionGoesOn) {
  auto spec = listener();
  spec.max_line = "64B";
  Daemon daemon(make_chat_config({spec}));
  const auto port = daemon.port_of("room");
  Room room;
  auto alice = connect_greeted(port);
  ASSERT_EQ(alice.write_all(std::string(100, 'n') + "\n"), IoStatus::ok);
  EXPECT_EQ(next_line(alice), "! line too long (limit 64 bytes)\n");  // before a name, too
  admit(room, std::move(alice), "alice", "127.0.0.1", "alice\n");
  join(room, port, "bob");
  ASSERT_FALSE(HasFailure());
  auto& sender = room[0];

  sender.say(std::string(65, 'a') + "\n");
  EXPECT_EQ(next_line(sender.client), "! line too long (limit 64 bytes)\n");
  // 64 bytes and a CR (not counted), the LF in a later write.
  sender.say(std::string(64, 'b') + "\r");
  sender.say("\n");
  EXPECT_EQ(next_line(room[1].client), "[alice@127.0.0.1] " + std::string(64, 'b') + "\n");
  // A long line in pieces: one refusal, then the next line is fine.
  for (int i = 0; i < 4; ++i) sender.say(std::string(2500, 'c'));
  sender.say("\nafter\n");
  EXPECT_EQ(next_line(sender.client), "! line too long (limit 64 bytes)\n");
  EXPECT_EQ(next_line(room[1].client), "[alice@127.0.0.1] after\n");
  expect_nothing_pending(room);
}

// At the largest max_line, a line of nothing but bad bytes (0xFE; 0xFF
// would be Telnet's IAC) triples when cleaned up and must still reach the
// others whole (under fork it crosses the fork master in one packet each
// way).
TEST_P(Chat, LongestLineOfBadBytesIsRelayedWhole) {
  auto spec = listener();
  spec.max_line = "32KiB";
  Daemon daemon(make_chat_config({spec}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "alice");
  join(room, port, "bob");
  ASSERT_FALSE(HasFailure());
  room[0].say(std::string(32 * 1024, '\xfe') + "\r\n");
  std::string expected = "[alice@127.0.0.1] ";
  for (int i = 0; i < 32 * 1024; ++i) expected += "\xef\xbf\xbd";
  const auto got = next_line(room[1].client);
  EXPECT_EQ(got.size(), expected.size() + 1);
  EXPECT_TRUE(got == expected + "\n") << got.substr(0, 80) << "...";
  room[0].say(std::string(32 * 1024 + 1, 'x') + "\n");
  EXPECT_EQ(next_line(room[0].client), "! line too long (limit 32768 bytes)\n");
  expect_nothing_pending(room);
}

// A /quit reason reaches the others in the line that says the member left
// (under thread and fork it crosses to the hub before the connection
// ends), cleaned up, trimmed and cut at 200 bytes. A line of blanks, like
// an empty one, reaches nobody.
TEST_P(Chat, QuitReasonReachesTheOthers) {
  Daemon daemon(make_chat_config({listener()}));
  const auto port = daemon.port_of("room");
  Room room;
  for (const char* name : {"alice", "bob", "carol", "dave", "eve"}) join(room, port, name);
  ASSERT_FALSE(HasFailure());

  room[1].say(" \t  \r\n\t\n");
  expect_nothing_pending(room);

  room[1].say("/quit  gone\x1b[1m fishing\t\r\n");
  EXPECT_EQ(room[1].client.wait_closed(kWait), IoStatus::closed);
  expect_left(room, "bob", "gone[1m fishing");
  // 198 bytes, then a character of 3 that would end past 200: it goes.
  room[1].say("/quit " + std::string(198, 'r') + "\xe2\x82\xac and more\n");
  EXPECT_EQ(room[1].client.wait_closed(kWait), IoStatus::closed);
  expect_left(room, "carol", std::string(198, 'r'));
  // At end of file, without the LF.
  room[1].say("/quit so long");
  room[1].client.shutdown_write();
  EXPECT_EQ(room[1].client.wait_closed(kWait), IoStatus::closed);
  expect_left(room, "dave", "so long");
  // Blanks only: the plain line.
  room[1].say("/quit \t\n");
  EXPECT_EQ(room[1].client.wait_closed(kWait), IoStatus::closed);
  expect_left(room, "eve");
  expect_nothing_pending(room);
}

// max_members: a name beyond it waits for room; max_connections: a
// connection beyond it is refused with a line, then closed.
TEST_P(Chat, FullRoomAndFullServerAreRefused) {
  auto spec = listener();
  spec.max_members = "2";
  Daemon daemon(make_chat_config({spec}, {"max_connections: 3"}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "alice");
  join(room, port, "bob");
  auto carol = connect_greeted(port);
  ASSERT_EQ(carol.write_all("carol\n"), IoStatus::ok);
  EXPECT_EQ(next_line(carol), "! room full: 2 online; try again later\n");

  auto extra = Client::connect(port);
  EXPECT_EQ(next_line(extra), "! server full; try again later\n");
  EXPECT_EQ(extra.wait_closed(kWait), IoStatus::closed);

  room[1].say("/quit\n");
  EXPECT_EQ(room[1].client.wait_closed(kWait), IoStatus::closed);
  expect_left(room, "bob");
  admit(room, std::move(carol), "carol", "127.0.0.1", "carol\n");
  expect_nothing_pending(room);
}

// SIGHUP adding another listener leaves the chat listener and its room
// alone.
TEST_P(Chat, ReloadKeepsTheRoom) {
  Daemon daemon(make_chat_config({listener()}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "alice");
  join(room, port, "bob");
  room[0].say("before\n");
  EXPECT_EQ(next_line(room[1].client), "[alice@127.0.0.1] before\n");

  daemon.write_config(make_chat_config({listener()}, {}, {{.name = "echo"}}));
  const auto mark = daemon.log_mark();
  daemon.send_signal(SIGHUP);
  const auto outcome = daemon.wait_for_line("reload (done|failed):", kWait, mark);
  ASSERT_EQ(outcome.groups.at(1), "done") << outcome.line;
  EXPECT_NE(outcome.line.find("1 added"), std::string::npos) << outcome.line;
  EXPECT_NE(outcome.line.find("1 unchanged"), std::string::npos) << outcome.line;
  EXPECT_FALSE(daemon.find_line("listener room:", mark)) << "the chat listener restarted";

  room[1].say("after\n");
  EXPECT_EQ(next_line(room[0].client), "[bob@127.0.0.1] after\n");
  join(room, port, "carol");  // the welcome lists alice and bob: same room
  // and its history holds the lines said before and after the reload.
  expect_history(room[2], {"[alice@127.0.0.1] before\n", "[bob@127.0.0.1] after\n"});
  room[2].say("hello\n");
  expect_others_get(room, room[2], "[carol@127.0.0.1] hello\n");
  expect_nothing_pending(room);
  auto echo = Client::connect(daemon.port_of("echo", mark));
  EXPECT_EQ(echo.exchange("ping"), "ping");
}

TEST_P(Chat, Ipv6AddressesHaveNoBrackets) {
  if (!has_ipv6_loopback()) GTEST_SKIP() << "no ::1 on this machine";
  auto spec = listener();
  spec.listen = "[::1]:0";
  Daemon daemon(make_chat_config({spec}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "alice", {.host = "::1"});
  join(room, port, "bob", {.host = "::1"});
  ASSERT_FALSE(HasFailure());
  room[1].say("hi over v6\n");
  EXPECT_EQ(next_line(room[0].client), "[bob@::1] hi over v6\n");
  room[1].client.shutdown_write();
  expect_left(room, "bob");
}

// On a dual-stack listener each member shows its own family's address.
TEST_P(Chat, DualStackShowsEachFamily) {
  if (!has_ipv6_loopback()) GTEST_SKIP() << "no ::1 on this machine";
  auto spec = listener();
  spec.listen = "*:0";
  Daemon daemon(make_chat_config({spec}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "four");
  join(room, port, "six", {.host = "::1"});
  ASSERT_FALSE(HasFailure());
  room[0].say("v4 here\n");
  EXPECT_EQ(next_line(room[1].client), "[four@127.0.0.1] v4 here\n");
  room[1].say("/me is on v6\n");
  EXPECT_EQ(next_line(room[0].client), "* six is on v6\n");
  room[1].say("v6 here\n");
  EXPECT_EQ(next_line(room[0].client), "[six@::1] v6 here\n");
}

// A member whose connection is reset, and one closed by the idle timeout
// (told why first): both are announced like any other leaving.
TEST_P(Chat, ResetAndIdleMembersLeave) {
  Daemon daemon(make_chat_config({listener()}, {"idle_timeout: 1s"}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "alice");
  join(room, port, "bob");
  join(room, port, "carol");
  ASSERT_FALSE(HasFailure());
  room[2].client.close_with_reset();
  expect_left(room, "carol");

  // alice keeps busy with /who, paced by waiting on bob's connection, until
  // she hears that bob left; no /who answer may tell it before that notice.
  const std::string left = "* bob@127.0.0.1 left (1 online)\n";
  const Deadline deadline(kWait);
  bool bob_closed = false;
  bool bob_told = false;  // the last line before the close
  bool bob_left = false;
  while (!bob_left) {
    ASSERT_FALSE(deadline.expired()) << "bob was not closed for idleness";
    room[0].say("/who\n");
    auto line = next_line(room[0].client);
    if (line == left) {
      bob_left = true;
      line = next_line(room[0].client);
    }
    ASSERT_EQ(line, bob_left ? "* 1 online: alice\n" : "* 2 online: alice, bob\n");
    if (!bob_closed && !bob_told) {
      const IoStatus status = room[1].client.wait_closed(Timeout{50});
      if (status == IoStatus::ok) {
        ASSERT_EQ(next_line(room[1].client), "* idle for 1s; goodbye\n");
        bob_told = true;
      }
      bob_closed = status == IoStatus::closed;
    }
  }
  EXPECT_TRUE(bob_told || bob_closed);
  EXPECT_EQ(room[1].client.wait_closed(kWait), IoStatus::closed);
  room.pop_back();
  expect_nothing_pending(room);
}

// A member the server disconnects hears why first: the room removed by a
// reload, the daemon stopping.
TEST_P(Chat, MembersHearWhyTheServerEndsTheirConnection) {
  Daemon daemon(make_chat_config({listener()}, {"shutdown_timeout: 100ms"}));
  Room room;
  join(room, daemon.port_of("room"), "alice");
  ASSERT_FALSE(HasFailure());
  daemon.write_config(make_chat_config({listener("lobby")}, {"shutdown_timeout: 100ms"}));
  const auto mark = daemon.log_mark();
  daemon.send_signal(SIGHUP);
  EXPECT_EQ(next_line(room[0].client), "* this room is closing; please reconnect\n");
  EXPECT_EQ(room[0].client.wait_closed(kWait), IoStatus::closed);
  room.clear();

  join(room, daemon.port_of("lobby", mark), "bob");
  ASSERT_FALSE(HasFailure());
  daemon.send_signal(SIGTERM);
  EXPECT_EQ(next_line(room[0].client), "* server shutting down; goodbye\n");
  EXPECT_EQ(room[0].client.wait_closed(kWait), IoStatus::closed);
  EXPECT_EQ(daemon.wait_exit(kWait), 0);
}

INSTANTIATE_TEST_SUITE_P(Models, Chat, ::testing::ValuesIn(model_cases()), model_case_name);

// Fork only: SIGKILL to the process serving one member. The others hear
// it left, and the fork master reaps it (no zombie).
TEST(ChatFork, KilledConnectionProcessLeavesTheRoom) {
  Daemon daemon(make_chat_config({{.name = "room", .model = "fork"}}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "alice");
  join(room, port, "bob");
  const auto mark = daemon.log_mark();
  auto carol = connect_greeted(port);
  const auto served = daemon.wait_for_line(
      "connection from " + regex_escape(carol.local_address()) + R"( served by process (\d+))",
      kWait, mark);
  const pid_t victim = std::stoi(served.groups.at(1));
  admit(room, std::move(carol), "carol", "127.0.0.1", "carol\n");
  ASSERT_FALSE(HasFailure());

  // The victim is a connection process under the fork master, not the
  // master itself.
  const auto masters = children_of(daemon.pid());
  const auto under = descendants_of(daemon.pid());
  ASSERT_NE(std::find(under.begin(), under.end(), victim), under.end())
      << "process " << victim << " is not under the daemon";
  ASSERT_EQ(std::find(masters.begin(), masters.end(), victim), masters.end())
      << "process " << victim << " is a child of the daemon itself";

  const auto kill_mark = daemon.log_mark();
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  EXPECT_EQ(room[2].client.wait_closed(kWait), IoStatus::closed);
  expect_left(room, "carol");
  room[0].say("still here\n");
  EXPECT_EQ(next_line(room[1].client), "[alice@127.0.0.1] still here\n");
  expect_nothing_pending(room);

  daemon.wait_for_line("connection process " + std::to_string(victim) + " was killed by signal 9",
                       kWait, kill_mark);
  EXPECT_EQ(process_state(victim), '\0') << "process " << victim << " was not reaped";
  for (const pid_t pid : descendants_of(daemon.pid())) {
    EXPECT_NE(process_state(pid), 'Z') << "zombie " << pid;
  }
}

}  // namespace
}  // namespace netcook::test
