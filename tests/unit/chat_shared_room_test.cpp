// The chat room shared with other daemons through a RoomBus, without a bus:
// a FakeBus records what the room submits and hands it the news a test
// pushes, as the Redis bus would, and the room is driven as a driver does
// (messages from sessions, gone(), woken() after a wake, ended()). Checks
// the exact lines each connection receives: nothing a member says reaches
// anyone before it comes back from the bus as an entry, in the bus's
// order, and a join waits for the bus's answer.

#include "metrics/arena.hpp"
#include "proto/chat/chat.hpp"
#include "proto/chat/room_bus.hpp"
#include "proto/chat/wire.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

namespace netcook::proto::chat {
namespace {

using Kind = BusRequest::Kind;
using Outcome = Answer::Outcome;

// The bus side of a shared room: what the room submitted, in order, and
// the news the test queues for it. The test wakes the room through the
// wake the room gave start(), as the real bus does from its thread.
class FakeBus final : public RoomBus {
 public:
  void start(std::function<void()> wake) override {
    ++starts;
    wake_ = std::move(wake);
  }
  void submit(BusRequest request) override { submitted.push_back(std::move(request)); }
  void take(std::vector<BusNews>& into) override {
    for (BusNews& news : queued_) into.push_back(std::move(news));
    queued_.clear();
  }

  void queue(BusNews news) { queued_.push_back(std::move(news)); }
  void wake() { wake_(); }

  int starts = 0;
  std::vector<BusRequest> submitted;

 private:
  std::function<void()> wake_;
  std::vector<BusNews> queued_;
};

// One shared room and its connections, driven by hand as a driver on one
// thread would: sessions' messages in the wire format, the Courier's
// deliveries recorded per connection.
class Room final : private Courier {
 public:
  explicit Room(const ChatSettings& settings = {}, spdlog::logger* log = nullptr)
      : metrics_(arena_.take("chat", "chat", "epoll", "127.0.0.1:0")) {
    auto bus = std::make_unique<FakeBus>();
    bus_ = bus.get();
    room_ = make_chat_hub(settings, ServiceContext{metrics_, log, [this] { ++wakes; }},
                          std::move(bus));
  }

  // A connection's session says hello from `host`.
  void connect(ConnectionId id, const std::string& host) {
    send(id, wire::kHello, host + " " + host + ":4000");
  }
  // A line the connection's session passed on (a name, a command, a line).
  void line(ConnectionId id, std::string_view text) { send(id, wire::kLine, text); }
  // The connection closes as every model closes one: its session's last
  // messages, then gone().
  void close(ConnectionId id, std::string_view why = "peer_closed") {
    send(id, wire::kClosed, why);
    room_->gone(id, *this);
  }
  void quit(ConnectionId id, std::string_view reason) {
    send(id, wire::kQuit, reason);
    close(id, "session_closed");
  }
  // The listener's driver goes; returns what the room submitted as it went.
  std::vector<BusRequest> end(metrics::CloseReason why) {
    room_->ended(why);
    std::vector<BusRequest> last = requests();
    room_.reset();
    bus_ = nullptr;
    return last;
  }

  // The bus has `news`: it wakes the room, and the driver calls woken().
  void news(std::vector<BusNews> batch) {
    for (BusNews& one : batch) bus_->queue(std::move(one));
    const int before = wakes;
    bus_->wake();
    ASSERT_EQ(wakes, before + 1) << "the bus's wake is not the driver's";
    room_->woken(*this);
  }
  void news(BusNews one) { news(std::vector<BusNews>{std::move(one)}); }

  // What connection `id` received since the last take().
  std::string take(ConnectionId id) {
    std::string text;
    text.swap(received_[id]);
    return text;
  }
  // The requests the room submitted since the last call.
  std::vector<BusRequest> requests() {
    std::vector<BusRequest> requests;
    requests.swap(bus_->submitted);
    return requests;
  }

  metrics::ListenerFigures figures() const {
    const auto all = arena_.figures();
    EXPECT_EQ(all.listeners.size(), 1u);
    return all.listeners.empty() ? metrics::ListenerFigures{} : all.listeners.front();
  }

  const FakeBus& bus() const { return *bus_; }
  int wakes = 0;

 private:
  void send(ConnectionId id, char tag, std::string_view payload) {
    room_->message(id, std::string(1, tag) + std::string(payload), *this);
  }
  void deliver(ConnectionId to, std::string_view bytes) override { received_[to].append(bytes); }

  metrics::Arena arena_;
  metrics::ListenerMetrics metrics_;
  FakeBus* bus_ = nullptr;  // owned by room_
  std::unique_ptr<Service> room_;
  std::map<ConnectionId, std::string> received_;
};

// The room's news, as the bus reports it.
BusNews entry_news(Entry entry) {
  BusNews news;
  news.kind = BusNews::Kind::entry;
  news.entry = std::move(entry);
  return news;
}
BusNews answer_news(Answer answer) {
  BusNews news;
  news.kind = BusNews::Kind::answer;
  news.answer = std::move(answer);
  return news;
}
BusNews plain_news(BusNews::Kind kind) {
  BusNews news;
  news.kind = kind;
  return news;
}

// Entries, each at position `ms` of the room's order.
Entry make_entry(std::uint64_t ms, Entry::Kind kind, std::string name, std::string host,
                 std::string text = {}, std::size_t online = 0) {
  Entry entry;
  entry.id = {ms, 0};
  entry.kind = kind;
  entry.name = std::move(name);
  entry.host = std::move(host);
  entry.text = std::move(text);
  entry.online = online;
  return entry;
}
Entry joined_entry(std::uint64_t ms, std::string name, std::string host, std::size_t online) {
  return make_entry(ms, Entry::Kind::joined, std::move(name), std::move(host), {}, online);
}
Entry line_entry(std::uint64_t ms, std::string name, std::string host, std::string text) {
  return make_entry(ms, Entry::Kind::line, std::move(name), std::move(host), std::move(text));
}
// The same entry, published by this daemon for `member`.
Entry ours(Entry entry, ConnectionId member) {
  entry.ours = true;
  entry.member = member;
  return entry;
}

// The answer to `member`'s request `to`, published at entry `entry_ms`.
Answer make_answer(Kind to, ConnectionId member, Outcome outcome = Outcome::ok,
                   std::uint64_t entry_ms = 0) {
  Answer answer;
  answer.to = to;
  answer.member = member;
  answer.outcome = outcome;
  answer.entry = {entry_ms, 0};
  return answer;
}
Answer join_answer(ConnectionId member, Outcome outcome, std::uint64_t entry_ms = 0,
                   std::size_t online = 0, std::vector<std::string> roster = {},
                   std::vector<Entry> history = {}) {
  Answer answer = make_answer(Kind::join, member, outcome, entry_ms);
  answer.online = online;
  answer.roster = std::move(roster);
  answer.history = std::move(history);
  return answer;
}
Answer who_answer(ConnectionId member, Outcome outcome, std::size_t online = 0,
                  std::vector<std::string> roster = {}) {
  Answer answer = make_answer(Kind::who, member, outcome);
  answer.online = online;
  answer.roster = std::move(roster);
  return answer;
}

void expect_request(const BusRequest& request, Kind kind, ConnectionId member,
                    const std::string& name, const std::string& host,
                    const std::string& text = {}) {
  EXPECT_EQ(request.kind, kind);
  EXPECT_EQ(request.member, member);
  EXPECT_EQ(request.name, name);
  EXPECT_EQ(request.host, host);
  EXPECT_EQ(request.text, text);
}

constexpr ConnectionId kAlice = 1, kBob = 2, kCarol = 3;

// Has connection `id` from `host` join as `name`, answered ok with its
// join entry at `entry_ms` and `online` members named in `roster`; the
// join entry itself comes back right after the answer. Takes away what
// the room delivered and submitted.
void admit(Room& room, ConnectionId id, const std::string& host, const std::string& name,
           std::uint64_t entry_ms, std::vector<std::string> roster) {
  room.connect(id, host);
  room.line(id, name);
  room.requests();
  const std::size_t online = roster.size();
  room.news({answer_news(join_answer(id, Outcome::ok, entry_ms, online, std::move(roster))),
             entry_news(ours(joined_entry(entry_ms, name, host, online), id))});
  room.requests();
  for (const ConnectionId who : {kAlice, kBob, kCarol}) room.take(who);
}

TEST(ChatSharedRoom, NeedsItsDriversWake) {
  metrics::Arena arena;
  EXPECT_THROW(make_chat_hub({}, ServiceContext{arena.take("chat", "chat", "epoll", "x"),
                                                nullptr, {}},
                             std::make_unique<FakeBus>()),
               std::logic_error);
}

TEST(ChatSharedRoom, StartsTheBusWithTheDriversWake) {
  Room room;
  EXPECT_EQ(room.bus().starts, 1);
  EXPECT_EQ(room.wakes, 0);
}

TEST(ChatSharedRoom, AJoinWaitsForItsAnswer) {
  Room room;
  room.connect(kAlice, "127.0.0.1");
  room.line(kAlice, "NAME: alice");
  const auto requests = room.requests();
  ASSERT_EQ(requests.size(), 1u);
  expect_request(requests[0], Kind::join, kAlice, "alice", "127.0.0.1");
  EXPECT_EQ(room.take(kAlice), "");
  EXPECT_EQ(room.figures().chat_joins, 0u);
}

TEST(ChatSharedRoom, AnswerOkWelcomesWithTheRoomsRosterAndHistory) {
  Room room;
  room.connect(kAlice, "127.0.0.1");
  room.line(kAlice, "alice");
  Entry action = line_entry(7, "carol", "192.0.2.7", "waves");
  action.kind = Entry::Kind::action;
  room.news(answer_news(join_answer(kAlice, Outcome::ok, 9, 3, {"bob", "carol", "alice"},
                                    {line_entry(5, "bob", "10.0.0.2", "hi"), action})));
  EXPECT_EQ(room.take(kAlice),
            "* welcome alice@127.0.0.1, 3 online: bob, carol, alice\n"
            "* history: 2 lines\n"
            "[bob@10.0.0.2] hi\n"
            "* carol waves\n"
            "* end of history\n");
  EXPECT_EQ(room.figures().chat_joins, 1u);
  // Its own join entry is not echoed to it.
  room.news(entry_news(ours(joined_entry(9, "alice", "127.0.0.1", 3), kAlice)));
  EXPECT_EQ(room.take(kAlice), "");
}

TEST(ChatSharedRoom, HistoryOfOneLineIsSingularAndNoneIsNoBlock) {
  Room room;
  room.connect(kAlice, "127.0.0.1");
  room.line(kAlice, "alice");
  room.news(answer_news(
      join_answer(kAlice, Outcome::ok, 9, 1, {"alice"}, {line_entry(5, "bob", "::1", "hi")})));
  EXPECT_EQ(room.take(kAlice),
            "* welcome alice@127.0.0.1, 1 online: alice\n"
            "* history: 1 line\n"
            "[bob@::1] hi\n"
            "* end of history\n");
  room.connect(kBob, "::1");
  room.line(kBob, "bob");
  room.news(answer_news(join_answer(kBob, Outcome::ok, 10, 2, {"alice", "bob"})));
  EXPECT_EQ(room.take(kBob), "* welcome bob@::1, 2 online: alice, bob\n");
}

TEST(ChatSharedRoom, OthersGetAJoinFromItsEntry) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  admit(room, kBob, "::1", "bob", 20, {"alice", "bob"});
  room.connect(kCarol, "192.0.2.7");  // not a member: gets nothing of the room
  // A join on another daemon.
  room.news(entry_news(joined_entry(30, "dave", "10.0.0.4", 3)));
  EXPECT_EQ(room.take(kAlice), "* dave@10.0.0.4 joined (3 online)\n");
  EXPECT_EQ(room.take(kBob), "* dave@10.0.0.4 joined (3 online)\n");
  EXPECT_EQ(room.take(kCarol), "");
}

TEST(ChatSharedRoom, OwnJoinAnsweredFirstTellsTheOthersOnlyWithItsEntry) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  room.connect(kBob, "::1");
  room.line(kBob, "bob");
  room.news(answer_news(join_answer(kBob, Outcome::ok, 20, 2, {"alice", "bob"})));
  EXPECT_EQ(room.take(kAlice), "");
  EXPECT_EQ(room.take(kBob), "* welcome bob@::1, 2 online: alice, bob\n");
  // Entries up to bob's join came before it (its history has the lines):
  // bob gets only those after.
  room.news({entry_news(line_entry(15, "carol", "192.0.2.7", "early")),
             entry_news(ours(joined_entry(20, "bob", "::1", 2), kBob)),
             entry_news(line_entry(21, "carol", "192.0.2.7", "late"))});
  EXPECT_EQ(room.take(kAlice),
            "[carol@192.0.2.7] early\n"
            "* bob@::1 joined (2 online)\n"
            "[carol@192.0.2.7] late\n");
  EXPECT_EQ(room.take(kBob), "[carol@192.0.2.7] late\n");
}

// The entry of a join may come before its answer: it and every entry after
// it wait for the answer, so that the new member's welcome comes first and
// every member sees the room's order.
TEST(ChatSharedRoom, AJoinsEntryBeforeItsAnswerHoldsTheRoomUntilTheAnswer) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  room.connect(kBob, "::1");
  room.line(kBob, "bob");
  room.line(kAlice, "meanwhile");  // its entry comes after bob's join
  room.requests();
  room.news({entry_news(line_entry(19, "carol", "192.0.2.7", "before")),
             entry_news(ours(joined_entry(20, "bob", "::1", 2), kBob)),
             entry_news(line_entry(21, "carol", "192.0.2.7", "after")),
             entry_news(ours(line_entry(22, "alice", "127.0.0.1", "meanwhile"), kAlice))});
  EXPECT_EQ(room.take(kAlice), "[carol@192.0.2.7] before\n");
  EXPECT_EQ(room.take(kBob), "");
  room.news(entry_news(line_entry(23, "carol", "192.0.2.7", "later")));
  EXPECT_EQ(room.take(kAlice), "");  // still held
  room.news(answer_news(
      join_answer(kBob, Outcome::ok, 20, 2, {"alice", "bob"},
                  {line_entry(19, "carol", "192.0.2.7", "before")})));
  EXPECT_EQ(room.take(kAlice),
            "* bob@::1 joined (2 online)\n"
            "[carol@192.0.2.7] after\n"
            "[carol@192.0.2.7] later\n");
  EXPECT_EQ(room.take(kBob),
            "* welcome bob@::1, 2 online: alice, bob\n"
            "* history: 1 line\n"
            "[carol@192.0.2.7] before\n"
            "* end of history\n"
            "[carol@192.0.2.7] after\n"
            "[alice@127.0.0.1] meanwhile\n"
            "[carol@192.0.2.7] later\n");
}

// Wherever a join's answer falls among the room's entries, and however the
// bus batches its news, every member gets the same lines: the room's
// order, the newcomer's welcome before anything after its join.
TEST(ChatSharedRoom, AJoinsAnswerAnywhereAmongTheEntriesGivesTheSameLines) {
  const std::vector<Entry> entries = {
      line_entry(1, "carol", "192.0.2.7", "a"),
      joined_entry(2, "dave", "10.0.0.4", 3),
      ours(joined_entry(3, "bob", "::1", 4), kBob),
      line_entry(4, "carol", "192.0.2.7", "b"),
      ours(line_entry(5, "alice", "127.0.0.1", "mine"), kAlice),
      line_entry(6, "carol", "192.0.2.7", "c"),
  };
  const std::string alice_sees =
      "[carol@192.0.2.7] a\n"
      "* dave@10.0.0.4 joined (3 online)\n"
      "* bob@::1 joined (4 online)\n"
      "[carol@192.0.2.7] b\n"
      "[carol@192.0.2.7] c\n";
  const std::string bob_sees =
      "* welcome bob@::1, 4 online: carol, alice, dave, bob\n"
      "* history: 1 line\n"
      "[carol@192.0.2.7] a\n"
      "* end of history\n"
      "[carol@192.0.2.7] b\n"
      "[alice@127.0.0.1] mine\n"
      "[carol@192.0.2.7] c\n";
  for (const bool one_batch : {false, true}) {
    for (std::size_t at = 0; at <= entries.size(); ++at) {
      Room room;
      admit(room, kAlice, "127.0.0.1", "alice", 0, {"carol", "alice"});
      room.connect(kBob, "::1");
      room.line(kBob, "bob");
      std::vector<BusNews> news;
      for (std::size_t i = 0; i <= entries.size(); ++i) {
        if (i == at)
          news.push_back(answer_news(join_answer(kBob, Outcome::ok, 3, 4,
                                                 {"carol", "alice", "dave", "bob"},
                                                 {entries[0]})));
        if (i < entries.size()) news.push_back(entry_news(entries[i]));
      }
      if (one_batch) {
        room.news(std::move(news));
      } else {
        for (BusNews& one : news) room.news(std::move(one));
      }
      EXPECT_EQ(room.take(kAlice), alice_sees) << "answer at " << at << ", batch " << one_batch;
      EXPECT_EQ(room.take(kBob), bob_sees) << "answer at " << at << ", batch " << one_batch;
    }
  }
}

// A joining client that goes before its answer: what waited for the answer
// goes on once it comes.
TEST(ChatSharedRoom, HeldEntriesGoOnWhenTheJoinerLeftBeforeItsAnswer) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  room.connect(kBob, "::1");
  room.line(kBob, "bob");
  room.news({entry_news(ours(joined_entry(20, "bob", "::1", 2), kBob)),
             entry_news(line_entry(21, "carol", "192.0.2.7", "after"))});
  room.close(kBob);
  EXPECT_EQ(room.take(kAlice), "");
  room.news(answer_news(join_answer(kBob, Outcome::ok, 20, 2, {"alice", "bob"})));
  EXPECT_EQ(room.take(kAlice),
            "* bob@::1 joined (2 online)\n"
            "[carol@192.0.2.7] after\n");
  EXPECT_EQ(room.take(kBob), "");
}

TEST(ChatSharedRoom, LinesAndActionsReachOthersFromTheirEntriesNotEchoed) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  admit(room, kBob, "::1", "bob", 20, {"alice", "bob"});
  room.line(kAlice, "hello all");
  room.line(kAlice, "/me waves");
  auto requests = room.requests();
  ASSERT_EQ(requests.size(), 2u);
  expect_request(requests[0], Kind::say, kAlice, "alice", "127.0.0.1", "hello all");
  expect_request(requests[1], Kind::act, kAlice, "alice", "127.0.0.1", "waves");
  EXPECT_EQ(room.take(kBob), "");  // not before the bus has it
  Entry action = ours(line_entry(31, "alice", "127.0.0.1", "waves"), kAlice);
  action.kind = Entry::Kind::action;
  room.news({entry_news(ours(line_entry(30, "alice", "127.0.0.1", "hello all"), kAlice)),
             entry_news(action)});
  EXPECT_EQ(room.take(kAlice), "");
  EXPECT_EQ(room.take(kBob), "[alice@127.0.0.1] hello all\n* alice waves\n");
  EXPECT_EQ(room.figures().chat_lines, 2u);
  // Commands are answered here and never reach the bus or the history.
  room.line(kAlice, "/me");
  room.line(kAlice, "/dance");
  room.line(kAlice, "/help");
  EXPECT_TRUE(room.requests().empty());
  EXPECT_EQ(room.take(kAlice),
            "! usage: /me TEXT\n"
            "! unknown command: /dance\n"
            "* commands (any other line is sent to the room):\n"
            "* /who - who is online\n"
            "* /nick NAME - change your name\n"
            "* /me TEXT - the others see: * NAME TEXT\n"
            "* /quit [REASON] - leave; the others see REASON\n"
            "* /help - this list\n");
  EXPECT_EQ(room.figures().chat_lines, 2u);
}

TEST(ChatSharedRoom, LeavesWithAndWithoutReason) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  Entry left = joined_entry(30, "carol", "192.0.2.7", 1);
  left.kind = Entry::Kind::left;
  room.news(entry_news(left));
  left.id = {31, 0};
  left.text = "gone fishing";
  room.news(entry_news(left));
  EXPECT_EQ(room.take(kAlice),
            "* carol@192.0.2.7 left (1 online)\n"
            "* carol@192.0.2.7 left (1 online): gone fishing\n");
}

TEST(ChatSharedRoom, RenameIsTheRoomsOnceItsEntryComesBack) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  admit(room, kBob, "::1", "bob", 20, {"alice", "bob"});
  room.line(kAlice, "/nick al");
  auto requests = room.requests();
  ASSERT_EQ(requests.size(), 1u);
  expect_request(requests[0], Kind::rename, kAlice, "alice", "127.0.0.1", "al");
  room.news(answer_news(make_answer(Kind::rename, kAlice, Outcome::ok, 30)));
  EXPECT_EQ(room.take(kAlice), "");  // its line comes with the entry
  EXPECT_EQ(room.take(kBob), "");
  Entry renamed = ours(joined_entry(30, "al", "127.0.0.1", 2), kAlice);
  renamed.kind = Entry::Kind::renamed;
  renamed.text = "alice";
  room.news(entry_news(renamed));
  EXPECT_EQ(room.take(kAlice), "* you are now al\n");
  EXPECT_EQ(room.take(kBob), "* alice is now al\n");
  // Its lines now go under the new name.
  room.line(kAlice, "hi");
  requests = room.requests();
  ASSERT_EQ(requests.size(), 1u);
  expect_request(requests[0], Kind::say, kAlice, "al", "127.0.0.1", "hi");
  // Another daemon's member renamed.
  renamed = joined_entry(31, "dave", "10.0.0.4", 3);
  renamed.kind = Entry::Kind::renamed;
  renamed.text = "dan";
  room.news(entry_news(renamed));
  EXPECT_EQ(room.take(kAlice), "* dan is now dave\n");
  EXPECT_EQ(room.take(kBob), "* dan is now dave\n");
}

// A rename's entry may come back before its answer: the room's order is
// the entries', so the renamer is told then; its lines typed meanwhile
// wait for the answer and go under the new name.
TEST(ChatSharedRoom, RenameEntryBeforeItsAnswer) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  admit(room, kBob, "::1", "bob", 20, {"alice", "bob"});
  room.line(kAlice, "/nick al");
  room.line(kAlice, "hi");
  ASSERT_EQ(room.requests().size(), 1u);
  Entry renamed = ours(joined_entry(30, "al", "127.0.0.1", 2), kAlice);
  renamed.kind = Entry::Kind::renamed;
  renamed.text = "alice";
  room.news(entry_news(renamed));
  EXPECT_EQ(room.take(kAlice), "* you are now al\n");
  EXPECT_EQ(room.take(kBob), "* alice is now al\n");
  EXPECT_TRUE(room.requests().empty());  // "hi" still waits for the answer
  room.news(answer_news(make_answer(Kind::rename, kAlice, Outcome::ok, 30)));
  const auto requests = room.requests();
  ASSERT_EQ(requests.size(), 1u);
  expect_request(requests[0], Kind::say, kAlice, "al", "127.0.0.1", "hi");
  EXPECT_EQ(room.take(kAlice), "");
}

TEST(ChatSharedRoom, RenameToItsOwnNameOrATakenOne) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  room.line(kAlice, "/nick alice");
  EXPECT_EQ(room.take(kAlice), "* you are now alice\n");
  room.line(kAlice, "/nick");
  room.line(kAlice, "/nick no way");
  EXPECT_EQ(room.take(kAlice),
            "! usage: /nick NAME\n"
            "! invalid name: 1-32 ASCII letters, digits, '.', '-' or '_'\n");
  EXPECT_TRUE(room.requests().empty());
  room.line(kAlice, "/nick bob");
  room.line(kAlice, "still alice");  // waits for the rename's answer
  ASSERT_EQ(room.requests().size(), 1u);
  room.news(answer_news(make_answer(Kind::rename, kAlice, Outcome::taken)));
  EXPECT_EQ(room.take(kAlice), "! name taken: bob\n");
  const auto requests = room.requests();
  ASSERT_EQ(requests.size(), 1u);
  expect_request(requests[0], Kind::say, kAlice, "alice", "127.0.0.1", "still alice");
}

TEST(ChatSharedRoom, TakenNameLetsTheClientTryAnother) {
  Room room;
  room.connect(kAlice, "127.0.0.1");
  room.line(kAlice, "bob");
  room.requests();
  room.news(answer_news(join_answer(kAlice, Outcome::taken)));
  EXPECT_EQ(room.take(kAlice), "! name taken: bob\n");
  EXPECT_EQ(room.figures().chat_joins, 0u);
  room.line(kAlice, "alice");
  const auto requests = room.requests();
  ASSERT_EQ(requests.size(), 1u);
  expect_request(requests[0], Kind::join, kAlice, "alice", "127.0.0.1");
  room.news(answer_news(join_answer(kAlice, Outcome::ok, 10, 1, {"alice"})));
  EXPECT_EQ(room.take(kAlice), "* welcome alice@127.0.0.1, 1 online: alice\n");
}

TEST(ChatSharedRoom, FullAndFailedJoinsAreRefused) {
  Room room;
  room.connect(kAlice, "127.0.0.1");
  room.line(kAlice, "alice");
  room.news(answer_news(join_answer(kAlice, Outcome::full, 0, 5)));
  EXPECT_EQ(room.take(kAlice), "! room full: 5 online; try again later\n");
  room.line(kAlice, "alice");
  room.news(answer_news(join_answer(kAlice, Outcome::failed)));
  EXPECT_EQ(room.take(kAlice), "! room link down; try again later\n");
  EXPECT_EQ(room.requests().size(), 2u);  // the client may try again
  EXPECT_EQ(room.figures().chat_joins, 0u);
}

TEST(ChatSharedRoom, NameRulesAreCheckedBeforeTheBus) {
  Room room;
  room.connect(kAlice, "127.0.0.1");
  room.line(kAlice, "/who");
  room.line(kAlice, "not a name");
  EXPECT_EQ(room.take(kAlice),
            "! send your name first\n"
            "! invalid name: 1-32 ASCII letters, digits, '.', '-' or '_'\n");
  EXPECT_TRUE(room.requests().empty());
}

TEST(ChatSharedRoom, LinesTypedWhileJoiningGoAfterTheAnswerInOrder) {
  Room room;
  room.connect(kAlice, "127.0.0.1");
  room.line(kAlice, "alice");
  room.line(kAlice, "one");
  room.line(kAlice, "/me two");
  room.line(kAlice, "/who");
  auto requests = room.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].kind, Kind::join);
  room.news(answer_news(join_answer(kAlice, Outcome::ok, 10, 1, {"alice"})));
  requests = room.requests();
  ASSERT_EQ(requests.size(), 3u);
  expect_request(requests[0], Kind::say, kAlice, "alice", "127.0.0.1", "one");
  expect_request(requests[1], Kind::act, kAlice, "alice", "127.0.0.1", "two");
  expect_request(requests[2], Kind::who, kAlice, "alice", "127.0.0.1");
}

// After a refused claim, the next waiting line is a name again: a new claim,
// and the lines after it wait for that one's answer.
TEST(ChatSharedRoom, AWaitingLineAfterATakenAnswerIsANewClaim) {
  Room room;
  room.connect(kAlice, "127.0.0.1");
  room.line(kAlice, "bob");
  room.line(kAlice, "alice");
  room.line(kAlice, "hello");
  room.requests();
  room.news(answer_news(join_answer(kAlice, Outcome::taken)));
  EXPECT_EQ(room.take(kAlice), "! name taken: bob\n");
  auto requests = room.requests();
  ASSERT_EQ(requests.size(), 1u);
  expect_request(requests[0], Kind::join, kAlice, "alice", "127.0.0.1");
  room.news(answer_news(join_answer(kAlice, Outcome::ok, 10, 1, {"alice"})));
  EXPECT_EQ(room.take(kAlice), "* welcome alice@127.0.0.1, 1 online: alice\n");
  requests = room.requests();
  ASSERT_EQ(requests.size(), 1u);
  expect_request(requests[0], Kind::say, kAlice, "alice", "127.0.0.1", "hello");
}

TEST(ChatSharedRoom, AtMost100LinesWaitForTheAnswer) {
  Room room;
  room.connect(kAlice, "127.0.0.1");
  room.line(kAlice, "alice");
  for (int i = 0; i < 100; ++i) room.line(kAlice, "line " + std::to_string(i));
  EXPECT_EQ(room.take(kAlice), "");
  room.line(kAlice, "one too many");
  EXPECT_EQ(room.take(kAlice), "! line not sent: still waiting for the room to answer\n");
  room.requests();
  room.news(answer_news(join_answer(kAlice, Outcome::ok, 10, 1, {"alice"})));
  const auto requests = room.requests();
  ASSERT_EQ(requests.size(), 100u);
  EXPECT_EQ(requests.front().text, "line 0");
  EXPECT_EQ(requests.back().text, "line 99");
}

TEST(ChatSharedRoom, WhoIsAnsweredByTheBus) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  room.line(kAlice, "/who");
  auto requests = room.requests();
  ASSERT_EQ(requests.size(), 1u);
  expect_request(requests[0], Kind::who, kAlice, "alice", "127.0.0.1");
  EXPECT_EQ(room.take(kAlice), "");
  room.news(answer_news(who_answer(kAlice, Outcome::ok, 3, {"bob", "alice", "dave"})));
  EXPECT_EQ(room.take(kAlice), "* 3 online: bob, alice, dave\n");
  room.line(kAlice, "/who");
  room.news(answer_news(who_answer(kAlice, Outcome::failed)));
  EXPECT_EQ(room.take(kAlice), "! room link down; try again later\n");
}

TEST(ChatSharedRoom, LinkNoticesReachMembersOnly) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  room.connect(kBob, "::1");
  room.line(kBob, "bob");  // joining
  room.connect(kCarol, "192.0.2.7");  // nameless
  room.news(plain_news(BusNews::Kind::link_lost));
  room.news(plain_news(BusNews::Kind::link_restored));
  EXPECT_EQ(room.take(kAlice), "* room link lost; reconnecting\n* room link restored\n");
  EXPECT_EQ(room.take(kBob), "");
  EXPECT_EQ(room.take(kCarol), "");
}

TEST(ChatSharedRoom, AForgottenRoomIsRejoinedByEveryMember) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  admit(room, kBob, "::1", "bob", 20, {"alice", "bob"});
  room.connect(kCarol, "192.0.2.7");
  room.line(kCarol, "carol");  // joining: its join is on the bus already
  room.requests();
  room.news(plain_news(BusNews::Kind::forgotten));
  auto requests = room.requests();
  ASSERT_EQ(requests.size(), 2u);
  std::map<ConnectionId, std::string> rejoined;
  for (const BusRequest& request : requests) {
    EXPECT_EQ(request.kind, Kind::rejoin);
    rejoined[request.member] = request.name + "@" + request.host;
  }
  EXPECT_EQ(rejoined, (std::map<ConnectionId, std::string>{{kAlice, "alice@127.0.0.1"},
                                                           {kBob, "bob@::1"}}));
  // A quiet rejoin: nobody is told.
  room.news(answer_news(make_answer(Kind::rejoin, kBob, Outcome::ok, 30)));
  Entry rejoin = ours(joined_entry(30, "bob", "::1", 2), kBob);
  rejoin.kind = Entry::Kind::rejoined;
  room.news(entry_news(rejoin));
  EXPECT_EQ(room.take(kAlice), "");
  EXPECT_EQ(room.take(kBob), "");

  // Someone took alice's name while the room had forgotten her.
  room.news(answer_news(make_answer(Kind::rejoin, kAlice, Outcome::taken)));
  EXPECT_EQ(room.take(kAlice),
            "! name taken while the room link was down: alice; send your name\n");
  EXPECT_EQ(room.figures().chat_leaves, 1u);
  room.news(entry_news(line_entry(40, "alice", "10.9.9.9", "I am the new alice")));
  EXPECT_EQ(room.take(kAlice), "");  // not a member any more
  EXPECT_EQ(room.take(kBob), "[alice@10.9.9.9] I am the new alice\n");
  room.line(kAlice, "alice2");
  requests = room.requests();
  ASSERT_EQ(requests.size(), 1u);
  expect_request(requests[0], Kind::join, kAlice, "alice2", "127.0.0.1");
}

TEST(ChatSharedRoom, DroppedLinesAreTold) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  room.line(kAlice, "lost");
  BusNews dropped = plain_news(BusNews::Kind::dropped);
  dropped.member = kAlice;
  dropped.text = "room link down for 30s";
  room.news(dropped);
  EXPECT_EQ(room.take(kAlice), "! not sent: room link down for 30s\n");
  dropped.member = 99;  // a connection gone meanwhile: nobody to tell
  room.news(dropped);
  EXPECT_EQ(room.take(99), "");
}

TEST(ChatSharedRoom, AMemberGoneLeavesWithItsQuitReason) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  admit(room, kBob, "::1", "bob", 20, {"alice", "bob"});
  room.quit(kAlice, "gone fishing");
  room.close(kBob);
  const auto requests = room.requests();
  ASSERT_EQ(requests.size(), 2u);
  expect_request(requests[0], Kind::leave, kAlice, "alice", "127.0.0.1", "gone fishing");
  expect_request(requests[1], Kind::leave, kBob, "bob", "::1");
  EXPECT_EQ(room.figures().chat_joins, 2u);
  EXPECT_EQ(room.figures().chat_leaves, 2u);
  EXPECT_EQ(room.figures().chat_members(), 0u);
}

// Its claim may have made it a member on the bus already: the bus is told
// it leaves, but it never counted as a member here.
TEST(ChatSharedRoom, AJoiningClientGoneLeavesTooButANamelessOneDoesNot) {
  Room room;
  room.connect(kAlice, "127.0.0.1");
  room.line(kAlice, "alice");
  room.connect(kBob, "::1");
  room.requests();
  room.close(kAlice);
  room.close(kBob);
  const auto requests = room.requests();
  ASSERT_EQ(requests.size(), 1u);
  expect_request(requests[0], Kind::leave, kAlice, "alice", "127.0.0.1");
  EXPECT_EQ(room.figures().chat_leaves, 0u);
  // Its answer, come late, is for nobody.
  room.news(answer_news(join_answer(kAlice, Outcome::ok, 10, 1, {"alice"})));
  EXPECT_EQ(room.take(kAlice), "");
}

TEST(ChatSharedRoom, MembersLeaveWithTheListener) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  admit(room, kBob, "::1", "bob", 20, {"alice", "bob"});
  room.connect(kCarol, "192.0.2.7");  // nameless: nothing to tell
  const auto requests = room.end(metrics::CloseReason::shutdown);
  ASSERT_EQ(requests.size(), 2u);
  std::map<ConnectionId, std::string> leaves;
  for (const BusRequest& request : requests) {
    EXPECT_EQ(request.kind, Kind::leave);
    leaves[request.member] = request.name + ": " + request.text;
  }
  // The others read why: "* alice@127.0.0.1 left (N online): server shutting down".
  EXPECT_EQ(leaves,
            (std::map<ConnectionId, std::string>{{kAlice, "alice: server shutting down"},
                                                 {kBob, "bob: server shutting down"}}));
  EXPECT_EQ(room.figures().chat_leaves, 2u);
  EXPECT_EQ(room.figures().chat_members(), 0u);
}

// A client whose join the bus has not answered when the listener goes may
// be a member on the bus already: like gone(), ended() tells the bus it
// leaves, or its name would stay claimed and the other daemons would show
// it in the room until its presence expires.
TEST(ChatSharedRoom, AJoiningClientLeavesWithTheListenerToo) {
  Room room;
  room.connect(kAlice, "127.0.0.1");
  room.line(kAlice, "alice");
  room.requests();
  const auto requests = room.end(metrics::CloseReason::listener_removed);
  ASSERT_EQ(requests.size(), 1u);
  expect_request(requests[0], Kind::leave, kAlice, "alice", "127.0.0.1", "room closed on its server");
  EXPECT_EQ(room.figures().chat_leaves, 0u);  // it never counted as a member here
}

// The room's log lines, their text only (chat_events_test checks the
// journal fields MemberLog adds, the same for both kinds of room).
class TextSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}
};

// Joins and renames are logged once the bus has answered them, leaves as
// the member goes (or is refused its name back after the room forgot it).
TEST(ChatSharedRoom, JoinsRenamesAndLeavesAreLoggedWhenTheyHappen) {
  const auto sink = std::make_shared<TextSink>();
  spdlog::logger log("chat", sink);
  log.set_level(spdlog::level::info);
  Room room({}, &log);
  room.connect(kAlice, "127.0.0.1");
  room.line(kAlice, "alice");
  EXPECT_TRUE(sink->lines.empty());  // a claim is not a join
  room.news(answer_news(join_answer(kAlice, Outcome::ok, 10, 1, {"alice"})));
  room.line(kAlice, "/nick al");
  EXPECT_EQ(sink->lines.size(), 1u);
  room.news(answer_news(make_answer(Kind::rename, kAlice, Outcome::ok, 20)));
  admit(room, kBob, "::1", "bob", 30, {"al", "bob"});
  room.news(plain_news(BusNews::Kind::forgotten));
  room.news(answer_news(make_answer(Kind::rejoin, kBob, Outcome::taken)));
  room.quit(kAlice, "bye");
  EXPECT_EQ(sink->lines, (std::vector<std::string>{
                             "chat: alice joined from 127.0.0.1",
                             "chat: alice is now al",
                             "chat: bob joined from ::1",
                             "chat: bob left",
                             "chat: al left: quit \"bye\"",
                         }));
}

TEST(ChatSharedRoom, DeliveriesAreCounted) {
  Room room;
  admit(room, kAlice, "127.0.0.1", "alice", 10, {"alice"});
  admit(room, kBob, "::1", "bob", 20, {"alice", "bob"});
  const auto before = room.figures().chat_deliveries;
  room.news(entry_news(line_entry(30, "carol", "192.0.2.7", "hi")));
  EXPECT_EQ(room.figures().chat_deliveries, before + 2);
}

}  // namespace
}  // namespace netcook::proto::chat
