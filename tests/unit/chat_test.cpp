// The chat protocol end to end without sockets: chat sessions and their hub
// wired together synchronously, checking the exact lines every member
// receives (names, joins and leaves, relayed lines, commands, limits, unsafe
// bytes), and that the output does not depend on how each member's input
// was cut into reads.

#include "proto/chat/chat.hpp"

#include <cstddef>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace netcook::proto::chat {
namespace {

using namespace std::string_literals;
using Lines = std::vector<std::string>;

// One room and its clients, wired as a driver on a single thread would: an
// Uplink calls the hub at once, the hub's Courier appends to the receiving
// client's text, and whatever a session writes to its Outbox is appended
// there too. A session that asks to close is closed and the hub hears gone().
class Room final : private Courier {
 public:
  explicit Room(const ChatSettings& settings = {})
      : settings_(settings), hub_(make_chat_hub(settings, {})) {}

  // A new connection from `host`; returns its index. The session is opened
  // (greeting) before this returns.
  // With a `pacer`, its lines are paced (flood control).
  std::size_t connect(std::string host, Pacer* pacer = nullptr) {
    const std::size_t index = clients_.size();
    auto client = std::make_unique<Client>(*this, kFirstId + index);
    client->context.pacer = pacer;
    client->context.listener = "chat";
    client->context.peer = host + ":4000";
    client->context.peer_host = std::move(host);
    client->context.id = client->id;
    client->context.uplink = client.get();
    client->session = make_chat_session(settings_, client->context);
    clients_.push_back(std::move(client));
    Client& added = *clients_.back();
    added.session->open(added.out);
    settle(added);
    return index;
  }

  // `bytes` arrive from client `who` in one read.
  void send(std::size_t who, std::string_view bytes) {
    Client& client = *clients_.at(who);
    ASSERT_FALSE(client.closed) << "client " << who << " is closed";
    client.session->receive(bytes, client.out);
    settle(client);
  }

  // Client `who`'s tokens are back (the core calls resume()).
  void resume(std::size_t who) {
    Client& client = *clients_.at(who);
    ASSERT_FALSE(client.closed) << "client " << who << " is closed";
    ASSERT_TRUE(client.session->holding()) << "client " << who << " holds nothing";
    client.session->resume(client.out);
    settle(client);
  }

  // Client `who` sends EOF; the connection ends once the session answered.
  void hang_up(std::size_t who) {
    Client& client = *clients_.at(who);
    ASSERT_FALSE(client.closed) << "client " << who << " is closed";
    client.session->peer_closed(client.out);
    settle(client);
    if (!client.closed) close(client);
  }

  // The server ends client `who`'s connection: its last words, then close.
  void end(std::size_t who, Ending why) {
    Client& client = *clients_.at(who);
    ASSERT_FALSE(client.closed) << "client " << who << " is closed";
    client.session->last_words(why, client.out);
    settle(client);
    if (!client.closed) close(client);
  }

  // Everything client `who` received since the last take().
  std::string take(std::size_t who) {
    std::string text;
    text.swap(clients_.at(who)->received);
    return text;
  }

  // take() for every client, in connection order.
  Lines take_all() {
    Lines all;
    for (std::size_t i = 0; i < clients_.size(); ++i) all.push_back(take(i));
    return all;
  }

  bool closed(std::size_t who) const { return clients_.at(who)->closed; }
  const Session& session(std::size_t who) const { return *clients_.at(who)->session; }

 private:
  static constexpr ConnectionId kFirstId = 100;

  struct Client final : Uplink {
    Client(Room& owner, ConnectionId connection) : room(owner), id(connection) {}
    void send(std::string_view message) override { room.hub_->message(id, message, room); }

    Room& room;
    const ConnectionId id;
    SessionContext context;
    std::unique_ptr<Session> session;
    Outbox out;
    std::string received;
    bool closed = false;
  };

  void deliver(ConnectionId to, std::string_view bytes) override {
    ASSERT_GE(to, kFirstId);
    ASSERT_LT(to - kFirstId, clients_.size()) << "delivery to an unknown connection";
    // A Courier ignores closed connections, but a hub that still writes to a
    // client after hearing gone() for it has kept a stale member.
    Client& client = *clients_[to - kFirstId];
    EXPECT_FALSE(client.closed) << "delivery after gone(): " << bytes;
    if (!client.closed) client.received.append(bytes);
  }

  // Writes the session's Outbox and closes the connection if it asks to.
  void settle(Client& client) {
    const std::string_view written = client.out.pending();
    client.received.append(written);
    client.out.consume(written.size());
    if (client.session->closing() && !client.closed) close(client);
  }

  void close(Client& client) {
    client.closed = true;
    hub_->gone(client.id, *this);
  }

  const ChatSettings settings_;
  std::unique_ptr<Service> hub_;
  std::vector<std::unique_ptr<Client>> clients_;
};

constexpr std::string_view kGreeting =
    "* welcome to netcookd chat; send your name (/help for commands)\n";
const std::string kInvalidName = "! invalid name: 1-32 ASCII letters, digits, '.', '-' or '_'\n";

// The refusal of a line longer than `limit` bytes.
std::string too_long(std::size_t limit) {
  return "! line too long (limit " + std::to_string(limit) + " bytes)\n";
}

// Takes the greeting away.
void expect_greeting(Room& room, std::size_t who) {
  EXPECT_EQ(room.take(who), kGreeting);
}

// Connects and greets a client and has it join as `name`.
std::size_t join(Room& room, std::string host, std::string_view name) {
  const std::size_t who = room.connect(std::move(host));
  expect_greeting(room, who);
  room.send(who, std::string(name) + "\n");
  return who;
}

TEST(Chat, GreetingIsOneLineBeforeAnyInput) {
  Room room;
  const std::size_t a = room.connect("127.0.0.1");
  EXPECT_EQ(room.take(a), kGreeting);
  EXPECT_FALSE(room.closed(a));
  EXPECT_FALSE(room.session(a).partial());
}

const std::string kHelp =
    "* commands (any other line is sent to the room):\n"
    "* /who - who is online\n"
    "* /nick NAME - change your name\n"
    "* /me TEXT - the others see: * NAME TEXT\n"
    "* /quit [REASON] - leave; the others see REASON\n"
    "* /help - this list\n";

TEST(Chat, HelpListsTheCommandsBeforeAndAfterTheName) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  const std::size_t b = room.connect("::1");
  expect_greeting(room, b);
  room.take_all();

  room.send(b, "/help\n");
  EXPECT_EQ(room.take_all(), (Lines{"", kHelp}));
  room.send(b, "  /help me please \r\n");  // blanks and arguments do not matter
  EXPECT_EQ(room.take_all(), (Lines{"", kHelp}));
  room.send(b, "bob\n");
  room.take_all();
  room.send(a, "/help\n");
  EXPECT_EQ(room.take_all(), (Lines{kHelp, ""}));
  room.send(a, "/HELP\n");
  EXPECT_EQ(room.take_all(), (Lines{"! unknown command: /HELP\n", ""}));
}

TEST(Chat, CommandsBeforeTheNameAskForIt) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  const std::size_t b = room.connect("::1");
  expect_greeting(room, b);
  room.take_all();

  for (std::string_view command :
       {"/who\n", "/nick bob\n", "/me waves\n", "/dance\n", "/\n", " /who\n", "/quitter\n"}) {
    room.send(b, command);
    EXPECT_EQ(room.take_all(), (Lines{"", "! send your name first\n"})) << command;
  }
  EXPECT_FALSE(room.closed(b));
  room.send(b, "bob\n");
  EXPECT_EQ(room.take(b), "* welcome bob@::1, 2 online: alice, bob\n");
  room.send(a, "/who\n");
  EXPECT_EQ(room.take(a), "* bob@::1 joined (2 online)\n* 2 online: alice, bob\n");
}

TEST(Chat, FullExchangeBetweenThreeClients) {
  Room room;
  const std::size_t a = room.connect("127.0.0.1");
  const std::size_t b = room.connect("::1");
  const std::size_t c = room.connect("192.0.2.7");
  for (std::size_t who : {a, b, c}) expect_greeting(room, who);

  // Lines before a name reach nobody.
  room.send(a, "\n");
  room.send(a, "alice\n");
  EXPECT_EQ(room.take_all(), (Lines{"* welcome alice@127.0.0.1, 1 online: alice\n", "", ""}));

  room.send(b, "NAME: Bob\n");
  EXPECT_EQ(room.take_all(), (Lines{"* Bob@::1 joined (2 online)\n",
                                    "* welcome Bob@::1, 2 online: alice, Bob\n", ""}));

  room.send(c, "bad name\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "", kInvalidName}));
  room.send(c, "ALICE\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "", "! name taken: ALICE\n"}));
  room.send(c, "NAME: bob\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "", "! name taken: bob\n"}));
  room.send(c, "carol\n");
  EXPECT_EQ(room.take_all(),
            (Lines{"* carol@192.0.2.7 joined (3 online)\n", "* carol@192.0.2.7 joined (3 online)\n",
                   "* welcome carol@192.0.2.7, 3 online: alice, Bob, carol\n"}));

  room.send(a, "hello all\n");
  EXPECT_EQ(room.take_all(),
            (Lines{"", "[alice@127.0.0.1] hello all\n", "[alice@127.0.0.1] hello all\n"}));
  room.send(b, "hi alice\n");
  EXPECT_EQ(room.take_all(), (Lines{"[Bob@::1] hi alice\n", "", "[Bob@::1] hi alice\n"}));

  room.send(b, "/who\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "* 3 online: alice, Bob, carol\n", ""}));

  room.send(c, "/nick Carol\n");  // another spelling of its own name
  EXPECT_EQ(room.take_all(),
            (Lines{"* carol is now Carol\n", "* carol is now Carol\n", "* you are now Carol\n"}));
  room.send(c, "/nick bOB\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "", "! name taken: bOB\n"}));
  room.send(c, "/nick no way\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "", kInvalidName}));
  room.send(c, "/nick dave\n");
  EXPECT_EQ(room.take_all(),
            (Lines{"* Carol is now dave\n", "* Carol is now dave\n", "* you are now dave\n"}));
  room.send(c, "still me\n");
  EXPECT_EQ(room.take_all(),
            (Lines{"[dave@192.0.2.7] still me\n", "[dave@192.0.2.7] still me\n", ""}));

  room.send(b, "/me waves\n");
  EXPECT_EQ(room.take_all(), (Lines{"* Bob waves\n", "", "* Bob waves\n"}));

  room.send(a, "/dance now\n");
  EXPECT_EQ(room.take_all(), (Lines{"! unknown command: /dance\n", "", ""}));

  room.send(a, "/who\n");  // join order survives a rename
  EXPECT_EQ(room.take_all(), (Lines{"* 3 online: alice, Bob, dave\n", "", ""}));

  room.send(b, "/quit see you\n");
  EXPECT_TRUE(room.closed(b));
  EXPECT_EQ(room.take_all(), (Lines{"* Bob@::1 left (2 online): see you\n", "",
                                    "* Bob@::1 left (2 online): see you\n"}));

  room.hang_up(c);
  EXPECT_EQ(room.take_all(), (Lines{"* dave@192.0.2.7 left (1 online)\n", "", ""}));

  // Names of those who left are free again, and counts follow. A late
  // member gets the room's lines and actions so far as its history.
  const std::size_t d = join(room, "10.0.0.1", "BOB");
  EXPECT_EQ(room.take_all(), (Lines{"* BOB@10.0.0.1 joined (2 online)\n", "", "",
                                    "* welcome BOB@10.0.0.1, 2 online: alice, BOB\n"
                                    "* history: 4 lines\n"
                                    "[alice@127.0.0.1] hello all\n"
                                    "[Bob@::1] hi alice\n"
                                    "[dave@192.0.2.7] still me\n"
                                    "* Bob waves\n"
                                    "* end of history\n"}));
  room.send(d, "/who\n");
  EXPECT_EQ(room.take(d), "* 2 online: alice, BOB\n");
}

TEST(Chat, NameRules) {
  Room room;
  const std::size_t a = room.connect("127.0.0.1");
  expect_greeting(room, a);
  const std::string overlong(33, 'n');
  for (const std::string& bad :
       {std::string("a@b"), overlong, std::string("NAME:x"), std::string("NAME: NAME: x"),
        std::string("NAME: /who"), std::string("al ice"), std::string("j\xC3\xA9")}) {
    room.send(a, bad + "\n");
    EXPECT_EQ(room.take(a), kInvalidName) << bad;
  }
  const std::string longest(32, 'n');
  room.send(a, "NAME: " + longest + "\n");
  EXPECT_EQ(room.take(a), "* welcome " + longest + "@127.0.0.1, 1 online: " + longest + "\n");
}

TEST(Chat, NickRules) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  const std::size_t b = join(room, "::1", "bob");
  room.take_all();

  for (std::string_view bad : {"/nick\n", "/nick \n", "/nick \t \n"}) {
    room.send(a, bad);
    EXPECT_EQ(room.take_all(), (Lines{"! usage: /nick NAME\n", ""})) << bad;
  }
  for (std::string_view bad : {"/me\n", "/me \n"}) {  // written like /nick's
    room.send(a, bad);
    EXPECT_EQ(room.take_all(), (Lines{"! usage: /me TEXT\n", ""})) << bad;
  }
  for (std::string_view bad : {"/nick a b\n", "/nick a@b\n"}) {
    room.send(a, bad);
    EXPECT_EQ(room.take_all(), (Lines{kInvalidName, ""})) << bad;
  }
  room.send(a, "/nick " + std::string(33, 'x') + "\n");
  EXPECT_EQ(room.take_all(), (Lines{kInvalidName, ""}));
  room.send(a, "/nick BOB\n");
  EXPECT_EQ(room.take_all(), (Lines{"! name taken: BOB\n", ""}));

  room.send(a, "/nick ALICE\n");
  EXPECT_EQ(room.take_all(), (Lines{"* you are now ALICE\n", "* alice is now ALICE\n"}));
  room.send(a, "/nick eve\n");
  EXPECT_EQ(room.take_all(), (Lines{"* you are now eve\n", "* ALICE is now eve\n"}));
  // The same name again tells only the sender.
  room.send(a, "/nick eve\n");
  EXPECT_EQ(room.take_all(), (Lines{"* you are now eve\n", ""}));

  // The old name is free again; the new one is taken.
  room.send(b, "/nick Alice\n");
  EXPECT_EQ(room.take_all(), (Lines{"* bob is now Alice\n", "* you are now Alice\n"}));
  room.send(b, "/nick EVE\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "! name taken: EVE\n"}));

  // A refused name changes nothing.
  room.send(a, "/who\n");
  EXPECT_EQ(room.take_all(), (Lines{"* 2 online: eve, Alice\n", ""}));
}

TEST(Chat, CommandsNeedTheirSlashWord) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  const std::size_t b = join(room, "::1", "bob");
  room.take_all();

  room.send(a, "/\n");
  EXPECT_EQ(room.take_all(), (Lines{"! unknown command: /\n", ""}));
  room.send(a, "/WHO\n");
  EXPECT_EQ(room.take_all(), (Lines{"! unknown command: /WHO\n", ""}));
  room.send(a, "/quitter\n");
  EXPECT_EQ(room.take_all(), (Lines{"! unknown command: /quitter\n", ""}));
  EXPECT_FALSE(room.closed(a));
  room.send(a, "/whois bob\n");
  EXPECT_EQ(room.take_all(), (Lines{"! unknown command: /whois\n", ""}));

  // Only a leading slash makes a command.
  room.send(a, " /who\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1]  /who\n"}));
  room.send(b, "a/b\n");
  EXPECT_EQ(room.take_all(), (Lines{"[bob@::1] a/b\n", ""}));

  room.send(b, "/me  dances  \n");
  EXPECT_EQ(room.take_all(), (Lines{"* bob dances\n", ""}));
}

TEST(Chat, QuitClosesAndIgnoresTheRest) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  const std::size_t b = join(room, "::1", "bob");
  room.take_all();

  room.send(a, "/quit\nnot relayed\n");
  EXPECT_TRUE(room.closed(a));
  EXPECT_EQ(room.take_all(), (Lines{"", "* alice@127.0.0.1 left (1 online)\n"}));

  // Before joining, /quit closes too, and nobody hears of it.
  const std::size_t c = room.connect("192.0.2.7");
  expect_greeting(room, c);
  room.send(c, "/quit bye now\n");
  EXPECT_TRUE(room.closed(c));
  EXPECT_EQ(room.take_all(), (Lines{"", "", ""}));
  EXPECT_FALSE(room.closed(b));
}

TEST(Chat, QuitReasonIsShownToTheOthers) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  const std::size_t b = join(room, "::1", "bob");
  room.take_all();

  // Blanks around it go, as do control characters; a tab inside stays.
  room.send(b, "/quit  \t gone\x1B[1m\tfishing\x07 \r\n");
  EXPECT_TRUE(room.closed(b));
  EXPECT_EQ(room.take_all(), (Lines{"* bob@::1 left (1 online): gone[1m\tfishing\n", ""}));

  // Only blanks, or nothing left once cleaned: the plain line.
  const std::size_t c = join(room, "192.0.2.7", "carol");
  room.take_all();
  room.send(c, "/quit \t \x1B\n");
  EXPECT_TRUE(room.closed(c));
  EXPECT_EQ(room.take(a), "* carol@192.0.2.7 left (1 online)\n");

  // At end of file, without its LF, too.
  const std::size_t d = join(room, "192.0.2.8", "dave");
  room.take_all();
  room.send(d, "/quit last words");
  room.hang_up(d);
  EXPECT_EQ(room.take(a), "* dave@192.0.2.8 left (1 online): last words\n");
}

TEST(Chat, QuitReasonIsCutAt200BytesBetweenCharacters) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  room.take_all();
  const auto quit_with = [&](const std::string& reason) {
    const std::size_t b = join(room, "::1", "bob");
    room.take_all();
    room.send(b, "/quit " + reason + "\n");
    EXPECT_TRUE(room.closed(b));
    return room.take(a);
  };
  const std::string left = "* bob@::1 left (1 online): ";
  const std::string exact(200, 'r');
  EXPECT_EQ(quit_with(exact), left + exact + "\n");
  EXPECT_EQ(quit_with(exact + "STOP"), left + exact + "\n");
  // A character that would end past byte 200 goes whole.
  const std::string euro = "\xE2\x82\xAC";
  for (std::size_t before = 198; before <= 200; ++before) {
    const std::string start(before, 'e');
    EXPECT_EQ(quit_with(start + euro + "tail"), left + start + "\n") << before;
  }
  EXPECT_EQ(quit_with(std::string(197, 'e') + euro + "tail"),
            left + std::string(197, 'e') + euro + "\n");
  // Sanitizing comes first: removed bytes do not count, a U+FFFD does.
  EXPECT_EQ(quit_with(std::string(100, '\x1B') + exact), left + exact + "\n");
  EXPECT_EQ(quit_with("\xFE" + exact), left + "\xEF\xBF\xBD" + std::string(197, 'r') + "\n");
  // A cut before a blank: the blank goes too.
  EXPECT_EQ(quit_with(std::string(199, 's') + " and more"), left + std::string(199, 's') + "\n");
}

TEST(Chat, LeaveNoticesOnlyForMembers) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  const std::size_t b = room.connect("::1");
  expect_greeting(room, b);
  const std::size_t c = join(room, "192.0.2.7", "carol");
  room.take_all();

  room.hang_up(b);  // never joined
  EXPECT_EQ(room.take_all(), (Lines{"", "", ""}));
  room.hang_up(a);
  EXPECT_EQ(room.take_all(), (Lines{"", "", "* alice@127.0.0.1 left (1 online)\n"}));
  room.send(c, "/who\n");
  EXPECT_EQ(room.take(c), "* 1 online: carol\n");
}

TEST(Chat, EmptyLinesAreIgnored) {
  Room room;
  const std::size_t a = room.connect("127.0.0.1");
  const std::size_t b = join(room, "::1", "bob");
  expect_greeting(room, a);
  room.take_all();

  room.send(a, "\n\r\n\x1B\n  \t \n");  // before the name too
  EXPECT_EQ(room.take_all(), (Lines{"", ""}));
  room.send(a, "alice\n");
  room.take_all();
  room.send(a, "\n\r\n\n\x07\r\n");
  EXPECT_EQ(room.take_all(), (Lines{"", ""}));
  // A member's line of only spaces and tabs is no line either.
  room.send(a, " \n\t\n \t \t\r\n \x1B \n");
  EXPECT_EQ(room.take_all(), (Lines{"", ""}));
  EXPECT_FALSE(room.session(a).partial());
  room.send(b, "\n");
  EXPECT_EQ(room.take_all(), (Lines{"", ""}));
}

TEST(Chat, CrBeforeLfIsDropped) {
  Room room;
  const std::size_t a = room.connect("127.0.0.1");
  join(room, "::1", "bob");
  expect_greeting(room, a);
  room.take_all();

  room.send(a, "NAME: alice\r\n");
  EXPECT_EQ(room.take_all(), (Lines{"* welcome alice@127.0.0.1, 2 online: bob, alice\n",
                                    "* alice@127.0.0.1 joined (2 online)\n"}));
  room.send(a, "hello\r\n/who\r\n");
  EXPECT_EQ(room.take_all(), (Lines{"* 2 online: bob, alice\n", "[alice@127.0.0.1] hello\n"}));
  room.send(a, "/nick Al\r\n");
  EXPECT_EQ(room.take_all(), (Lines{"* you are now Al\n", "* alice is now Al\n"}));
  room.send(a, "/quit\r\n");
  EXPECT_TRUE(room.closed(a));
}

TEST(Chat, MaxLineCountsBytesBeforeTheLfWithoutCr) {
  ChatSettings settings;
  settings.max_line = 16;
  Room room(settings);
  const std::size_t a = join(room, "127.0.0.1", "alice");
  join(room, "::1", "bob");
  room.take_all();
  const std::string exact(16, 'x');
  const std::string over(17, 'y');

  room.send(a, exact + "\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1] " + exact + "\n"}));
  room.send(a, exact + "\r\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1] " + exact + "\n"}));

  room.send(a, over + "\n");
  EXPECT_EQ(room.take_all(), (Lines{too_long(16), ""}));
  EXPECT_FALSE(room.closed(a));
  EXPECT_FALSE(room.session(a).partial());
  room.send(a, over + "\r\n");
  EXPECT_EQ(room.take_all(), (Lines{too_long(16), ""}));

  // The connection goes on with the next line, even in the same read.
  room.send(a, over + "\nafter\n");
  EXPECT_EQ(room.take_all(), (Lines{too_long(16), "[alice@127.0.0.1] after\n"}));
}

TEST(Chat, LongLineIsRefusedOnceWhateverItsLength) {
  ChatSettings settings;
  settings.max_line = 16;
  Room room(settings);
  const std::size_t a = join(room, "127.0.0.1", "alice");
  join(room, "::1", "bob");
  room.take_all();

  for (int i = 0; i < 100; ++i) {
    room.send(a, std::string(50, 'z'));
    EXPECT_TRUE(room.session(a).partial());
  }
  room.send(a, "end\n");
  EXPECT_FALSE(room.session(a).partial());
  EXPECT_EQ(room.take_all(), (Lines{too_long(16), ""}));
  room.send(a, "fine\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1] fine\n"}));
}

TEST(Chat, MaxLineAppliesBeforeJoining) {
  ChatSettings settings;
  settings.max_line = 8;
  Room room(settings);
  const std::size_t a = room.connect("127.0.0.1");
  expect_greeting(room, a);
  room.send(a, "NAME: alice\n");  // 11 bytes
  EXPECT_EQ(room.take(a), too_long(8));
  room.send(a, "alice\n");
  EXPECT_EQ(room.take(a), "* welcome alice@127.0.0.1, 1 online: alice\n");
}

TEST(Chat, DefaultMaxLineIs4KiB) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  join(room, "::1", "bob");
  room.take_all();
  const std::string exact(4096, 'k');
  room.send(a, exact + "\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1] " + exact + "\n"}));
  room.send(a, exact + "k\n");
  EXPECT_EQ(room.take_all(), (Lines{too_long(4096), ""}));
}

TEST(Chat, RoomFullRefusesJoinsUntilSomeoneLeaves) {
  ChatSettings settings;
  settings.max_members = 2;
  Room room(settings);
  const std::size_t a = join(room, "127.0.0.1", "alice");
  join(room, "::1", "bob");
  const std::size_t c = room.connect("192.0.2.7");
  expect_greeting(room, c);
  room.take_all();

  room.send(c, "carol\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "", "! room full: 2 online; try again later\n"}));
  EXPECT_FALSE(room.closed(c));
  room.send(c, "carol\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "", "! room full: 2 online; try again later\n"}));

  room.hang_up(a);
  EXPECT_EQ(room.take_all(), (Lines{"", "* alice@127.0.0.1 left (1 online)\n", ""}));
  room.send(c, "carol\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "* carol@192.0.2.7 joined (2 online)\n",
                                    "* welcome carol@192.0.2.7, 2 online: bob, carol\n"}));
}

TEST(Chat, ControlCharactersAreRemovedFromNamesAndLines) {
  Room room;
  const std::size_t a = room.connect("127.0.0.1");
  join(room, "::1", "bob");
  expect_greeting(room, a);
  room.take_all();

  // An escape sequence loses its ESC; what is left is no name.
  room.send(a, "\x1B[31malice\x1B[0m\n");
  EXPECT_EQ(room.take_all(), (Lines{kInvalidName, ""}));
  room.send(a,
            "\x1B"
            "al\x07ice\x7F\n");
  EXPECT_EQ(room.take_all(), (Lines{"* welcome alice@127.0.0.1, 2 online: bob, alice\n",
                                    "* alice@127.0.0.1 joined (2 online)\n"}));

  room.send(a, "\x1B[31mred\x1B[0m \x1B]0;owned\x07 done\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1] [31mred[0m ]0;owned done\n"}));
  room.send(a,
            "C1 \xC2\x9B"
            "2J csi, tab\tkept\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1] C1 2J csi, tab\tkept\n"}));
  room.send(a, "/me \x1B[2Jclears\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "* alice [2Jclears\n"}));
  room.send(a,
            "/nick \x1B"
            "eve\x08\n");
  EXPECT_EQ(room.take_all(), (Lines{"* you are now eve\n", "* alice is now eve\n"}));
  room.send(a, "/w\x1Bho\n");
  EXPECT_EQ(room.take_all(), (Lines{"* 2 online: bob, eve\n", ""}));
}

TEST(Chat, BidiAndZeroWidthCharactersAreRemovedFromNamesAndLines) {
  Room room;
  const std::size_t a = room.connect("127.0.0.1");
  join(room, "::1", "bob");
  expect_greeting(room, a);
  room.take_all();

  // U+200B (ZWSP) and U+FEFF inside a name: what is left is the name.
  room.send(a,
            "al\xE2\x80\x8Bi\xEF\xBB\xBF"
            "ce\n");
  EXPECT_EQ(room.take_all(), (Lines{"* welcome alice@127.0.0.1, 2 online: bob, alice\n",
                                    "* alice@127.0.0.1 joined (2 online)\n"}));
  // U+202E (RLO) would show the rest of the line reversed; U+2066 (LRI)
  // and U+2069 (PDI) isolate; U+200F is RLM.
  room.send(a,
            "\xE2\x80\xAE"
            "degaro \xE2\x81\xA6x\xE2\x81\xA9\xE2\x80\x8F!\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1] degaro x!\n"}));
  // A line of nothing but them is an empty line.
  room.send(a, "\xE2\x80\x8B\xE2\x80\xAC\n");
  EXPECT_EQ(room.take_all(), (Lines{"", ""}));
}

TEST(Chat, InvalidUtf8IsReplaced) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  join(room, "::1", "bob");
  room.take_all();

  room.send(a, "caf\xC3\xA9 \xE2\x98\x95\n");  // well-formed: kept
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1] caf\xC3\xA9 \xE2\x98\x95\n"}));
  room.send(a, "bad \xC0\x80 \xED\xA0\x80 \xE2\x82 \x80!\n");
  EXPECT_EQ(room.take_all(),
            (Lines{"",
                   "[alice@127.0.0.1] bad \xEF\xBF\xBD\xEF\xBF\xBD "
                   "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD!\n"}));
  room.send(a, "/nick b\xFEx\n");  // (0xFF would be Telnet's IAC)
  EXPECT_EQ(room.take_all(), (Lines{kInvalidName, ""}));
}

TEST(Chat, FinalLineWithoutLfCountsAtEof) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  join(room, "::1", "bob");
  room.take_all();

  room.send(a, "last words\r");
  EXPECT_EQ(room.take_all(), (Lines{"", ""}));
  room.hang_up(a);
  EXPECT_TRUE(room.closed(a));
  EXPECT_EQ(room.take_all(),
            (Lines{"", "[alice@127.0.0.1] last words\n* alice@127.0.0.1 left (1 online)\n"}));
}

TEST(Chat, UnfinishedLongLineIsNotRelayedAtEof) {
  ChatSettings settings;
  settings.max_line = 8;
  Room room(settings);
  const std::size_t a = join(room, "127.0.0.1", "alice");
  join(room, "::1", "bob");
  room.take_all();

  room.send(a, "far too long");
  room.hang_up(a);
  EXPECT_EQ(room.take_all(), (Lines{too_long(8), "* alice@127.0.0.1 left (1 online)\n"}));
}

TEST(Chat, QuitWithoutLfAtEof) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  join(room, "::1", "bob");
  room.take_all();
  room.send(a, "/quit");
  EXPECT_FALSE(room.closed(a));
  room.hang_up(a);
  EXPECT_EQ(room.take_all(), (Lines{"", "* alice@127.0.0.1 left (1 online)\n"}));
}

TEST(Chat, PartialWhileALineIsIncomplete) {
  Room room;
  const std::size_t a = room.connect("127.0.0.1");
  expect_greeting(room, a);
  EXPECT_FALSE(room.session(a).partial());
  room.send(a, "al");
  EXPECT_TRUE(room.session(a).partial());
  room.send(a, "ice\r");
  EXPECT_TRUE(room.session(a).partial());
  EXPECT_EQ(room.take(a), "");
  room.send(a, "\n");
  EXPECT_FALSE(room.session(a).partial());
  EXPECT_EQ(room.take(a), "* welcome alice@127.0.0.1, 1 online: alice\n");
  room.send(a, "one\ntw");
  EXPECT_TRUE(room.session(a).partial());
  room.send(a, "o\n");
  EXPECT_FALSE(room.session(a).partial());
  room.send(a, "\n");
  EXPECT_FALSE(room.session(a).partial());
}

// A member the server disconnects is told why in one line, the timeouts
// as the configuration writes them; the others hear that it left.
TEST(Chat, LastWordsSayWhy) {
  ChatSettings settings;
  settings.idle_timeout = "90s";
  settings.read_timeout = "1m30s";
  const std::vector<std::pair<Ending, std::string>> cases = {
      {Ending::idle_timeout, "* idle for 90s; goodbye\n"},
      {Ending::read_timeout, "* line incomplete for 1m30s; goodbye\n"},
      {Ending::shutdown, "* server shutting down; goodbye\n"},
      {Ending::listener_removed, "* this room is closing; please reconnect\n"},
      {Ending::outbox_overflow, "* you are not reading; disconnected\n"},
  };
  for (const auto& [why, line] : cases) {
    Room room(settings);
    const std::size_t a = room.connect("127.0.0.1");
    const std::size_t b = room.connect("127.0.0.1");
    room.send(a, "alice\n");
    room.send(b, "bob\n");
    room.take_all();
    room.end(b, why);
    EXPECT_EQ(room.take(b), line);
    EXPECT_TRUE(room.closed(b));
    EXPECT_EQ(room.take(a), "* bob@127.0.0.1 left (1 online)\n");
  }
}

// What a telnet(1) user sends: option negotiation and a window size first,
// then lines; Ctrl-C (IAC IP, IAC DO TIMING-MARK) right before a command;
// IAC IAC, a 0xFF byte, in text. Others must see only the text, and the
// telnet user the replies and, apart, every option refused in order.
const std::string kTelnetInput =
    "\xFF\xFD\x03\xFF\xFB\x18\xFF\xFB\x1F"  // DO SGA, WILL TTYPE, WILL NAWS
    "\xFF\xFA\x1F\x00\x50\x00\x18\xFF\xF0"  // SB NAWS 80x24 SE
    "alice\r\n"
    "\xFF\xF4\xFF\xFD\x06/who\r\n"                // IP, DO TIMING-MARK
    "hel\xFF\xF1lo \xFF\xFF!\r\n"                 // NOP in a word, a 0xFF byte
    "\xFF\xF4\r\n"                                // a line of nothing but IP
    "/me \xFF\xFA\x18\x00xterm\xFF\xF0waves\r\n"  // SB TTYPE IS in a line
    "\xFF\xF4/quit\r\n"s;                         // NUL bytes included

// Runs kTelnetInput from a new client cut at `cuts`, with bob in the room;
// returns what the telnet client received (its text, then apart the Telnet
// commands in it: the chat never sends a 0xFF byte otherwise) and what bob
// received.
Lines run_telnet(const std::vector<std::size_t>& cuts) {
  Room room;
  const std::size_t bob = join(room, "::1", "bob");
  const std::size_t telnet = room.connect("127.0.0.1");
  room.take_all();
  std::size_t from = 0;
  for (const std::size_t cut : cuts) {
    if (cut > from) room.send(telnet, std::string_view(kTelnetInput).substr(from, cut - from));
    from = cut;
  }
  if (from < kTelnetInput.size()) room.send(telnet, std::string_view(kTelnetInput).substr(from));
  EXPECT_TRUE(room.closed(telnet));
  std::string text;
  std::string commands;
  const std::string received = room.take(telnet);
  for (std::size_t i = 0; i < received.size(); ++i) {
    if (received[i] == '\xFF' && i + 2 < received.size()) {
      commands.append(received, i, 3);
      i += 2;
    } else {
      text.push_back(received[i]);
    }
  }
  return {text, commands, room.take(bob)};
}

TEST(Chat, TelnetCommandsNeverReachOthers) {
  const Lines expected{
      "* welcome alice@127.0.0.1, 2 online: bob, alice\n"
      "* 2 online: bob, alice\n",
      // WONT SGA, DONT TTYPE, DONT NAWS, WONT TIMING-MARK
      "\xFF\xFC\x03\xFF\xFE\x18\xFF\xFE\x1F\xFF\xFC\x06",
      "* alice@127.0.0.1 joined (2 online)\n"
      "[alice@127.0.0.1] hello \xEF\xBF\xBD!\n"
      "* alice waves\n"
      "* alice@127.0.0.1 left (1 online)\n",
  };
  EXPECT_EQ(run_telnet({}), expected);
  std::vector<std::size_t> every;
  for (std::size_t i = 0; i <= kTelnetInput.size(); ++i) {
    every.push_back(i);
    ASSERT_EQ(run_telnet({i}), expected) << "cut at " << i;
    for (std::size_t j = i; j <= kTelnetInput.size(); ++j)
      ASSERT_EQ(run_telnet({i, j}), expected) << "cuts at " << i << ", " << j;
  }
  EXPECT_EQ(run_telnet(every), expected) << "one byte at a time";
}

TEST(Chat, TelnetCommandsAreRemovedBeforeMaxLine) {
  ChatSettings settings;
  settings.max_line = 16;
  Room room(settings);
  const std::size_t a = join(room, "127.0.0.1", "alice");
  join(room, "::1", "bob");
  room.take_all();

  // 16 bytes of text and many commands: not too long. IAC IAC is one byte.
  std::string line;
  std::string refusals;
  for (int i = 0; i < 15; ++i) {
    line += "x\xFF\xF1\xFF\xFB\x01";  // NOP, WILL ECHO
    refusals += "\xFF\xFE\x01";         // DONT ECHO
  }
  room.send(a, line + "\xFF\xFF\r\n");
  EXPECT_EQ(room.take_all(),
            (Lines{refusals, "[alice@127.0.0.1] " + std::string(15, 'x') + "\xEF\xBF\xBD\n"}));
  room.send(a, std::string(15, 'y') + "\xFF\xFF\xFF\xFFz\n");
  EXPECT_EQ(room.take_all(), (Lines{too_long(16), ""}));
}

TEST(Chat, PartialWhileATelnetCommandIsIncomplete) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  room.take_all();
  room.send(a, "\xFF");
  EXPECT_TRUE(room.session(a).partial());
  room.send(a, "\xF4");
  EXPECT_FALSE(room.session(a).partial());
  room.send(a, "\xFF\xFA\x1F\x00");
  EXPECT_TRUE(room.session(a).partial());
  room.send(a, "\xFF\xF0");
  EXPECT_FALSE(room.session(a).partial());
  EXPECT_EQ(room.take(a), "");
}

// history: a new member gets the room's last lines and /me actions right
// after its welcome, between "* history: N lines" and "* end of history".

ChatSettings with_history(std::size_t lines) {
  ChatSettings settings;
  settings.history = lines;
  return settings;
}

TEST(ChatHistory, DefaultIsTwentyLines) { EXPECT_EQ(ChatSettings{}.history, 20u); }

TEST(ChatHistory, EmptyRoomSendsNoBlock) {
  Room room;
  join(room, "127.0.0.1", "alice");
  EXPECT_EQ(room.take(0), "* welcome alice@127.0.0.1, 1 online: alice\n");
}

TEST(ChatHistory, ZeroSendsNoBlock) {
  Room room(with_history(0));
  const std::size_t a = join(room, "127.0.0.1", "alice");
  room.send(a, "one\n/me waves\n");
  room.take_all();
  const std::size_t b = join(room, "::1", "bob");
  EXPECT_EQ(room.take(b), "* welcome bob@::1, 2 online: alice, bob\n");
  room.send(b, "two\n");  // nothing kept for later either
  join(room, "192.0.2.7", "carol");
  EXPECT_EQ(room.take(2), "* welcome carol@192.0.2.7, 3 online: alice, bob, carol\n");
}

TEST(ChatHistory, KeepsTheLastNLinesOldestFirst) {
  constexpr std::size_t kCap = 4;
  Room room(with_history(kCap));
  const std::size_t a = join(room, "127.0.0.1", "alice");
  for (std::size_t i = 1; i <= kCap + 5; ++i) room.send(a, "line " + std::to_string(i) + "\n");
  room.take_all();
  const std::size_t b = join(room, "::1", "bob");
  EXPECT_EQ(room.take(b),
            "* welcome bob@::1, 2 online: alice, bob\n"
            "* history: 4 lines\n"
            "[alice@127.0.0.1] line 6\n"
            "[alice@127.0.0.1] line 7\n"
            "[alice@127.0.0.1] line 8\n"
            "[alice@127.0.0.1] line 9\n"
            "* end of history\n");
}

TEST(ChatHistory, OneLineIsSingularAndActionsAreKeptAsTheOthersSawThem) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  room.send(a, "/me waves\n");
  room.take_all();
  const std::size_t b = join(room, "::1", "bob");
  EXPECT_EQ(room.take(b),
            "* welcome bob@::1, 2 online: alice, bob\n"
            "* history: 1 line\n"
            "* alice waves\n"
            "* end of history\n");
}

// Joins, leaves, renames, commands and their answers are not lines of the
// room: only what members said and did (/me) is kept, under the name they
// had when they said it.
TEST(ChatHistory, HoldsOnlyLinesAndActions) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  const std::size_t b = join(room, "::1", "bob");
  room.send(a, "hello\n/who\n/help\n/bogus\n/me\n/nick al\n");
  room.send(b, "/me nods\n/quit bye\n");
  const std::size_t c = join(room, "192.0.2.7", "carol");
  room.send(c, "/nick caro\n");
  room.hang_up(c);
  room.take_all();
  const std::size_t d = join(room, "10.0.0.1", "dave");
  EXPECT_EQ(room.take(d),
            "* welcome dave@10.0.0.1, 2 online: al, dave\n"
            "* history: 2 lines\n"
            "[alice@127.0.0.1] hello\n"
            "* bob nods\n"
            "* end of history\n");
}

// The block is the new member's alone, right after its welcome: the others
// get its join notice, and the room's next event reaches it after the block.
TEST(ChatHistory, ComesAfterTheWelcomeAndBeforeTheNextEvent) {
  Room room;
  const std::size_t a = join(room, "127.0.0.1", "alice");
  room.send(a, "first\n");
  room.take_all();
  const std::size_t b = room.connect("::1");
  expect_greeting(room, b);
  room.send(b, "bob\n");
  room.send(a, "second\n");
  EXPECT_EQ(room.take_all(), (Lines{"* bob@::1 joined (2 online)\n",
                                    "* welcome bob@::1, 2 online: alice, bob\n"
                                    "* history: 1 line\n"
                                    "[alice@127.0.0.1] first\n"
                                    "* end of history\n"
                                    "[alice@127.0.0.1] second\n"}));
}

// A conversation between three clients, each step one read of one client
// (a step may hold several lines). Covers names, commands, limits, CRLF,
// unsafe bytes, Telnet commands inside lines, /quit and a last line
// without LF.
struct Step {
  std::size_t who;
  std::string_view bytes;
};

const ChatSettings kScriptSettings{24, 3};
const char* const kScriptHosts[] = {"127.0.0.1", "::1", "192.0.2.7"};

const Step kScript[] = {
    {0, "\nNAME: alice\r\n"},
    {1, "Alice\nbob by\n"},
    {1, "bob\n"},
    {0, "hel\xFF\xF4lo b\xFF\xFC\x01ob\n"},  // Telnet IP and WONT ECHO: removed
    {1, "hi!\r\n\r\n/who\n"},
    {2, "\x1B[1mcarol\n"},
    {2, "ca\xFF\xFA\x1F\x01\x50\xFF\xFF\x01\x18\xFF\xF0rol\n"},  // SB NAWS ... SE
    {0, "/nick ALICE\n"},
    {2, "abcdefghijklmnopqrstuvwx\n"},  // exactly max_line
    {2, "abcdefghijklmnopqrstuvwxy\r\nok\n"},
    {1, "/me \xF0\x9F\x98\x80 \xE2\x82 ok\n"},
    {0,
     "a\x1B[2Jb\xC2\x85"
     "c\n/dance\n"},
    {1, "/nick Carol\n/nick bobby\n"},
    {2, "abcdefghijklmnopqrstuvwx\r\n"},
    {0, "/quit bye\nignored\n"},
    {2, "/who\n"},
    {1, "last line"},
};

// Runs kScript with client `split` reading its input cut at `cuts` (offsets
// into everything that client sends, ascending); the others read each step
// whole. Returns what every client received. Checks partial() after every
// read of the split client.
Lines run_script(std::size_t split, const std::vector<std::size_t>& cuts) {
  Room room(kScriptSettings);
  for (const char* host : kScriptHosts) room.connect(host);
  std::size_t offset = 0;  // into the split client's input
  std::string sent;        // the split client's input so far
  auto next_cut = cuts.begin();
  for (const Step& step : kScript) {
    if (step.who != split) {
      room.send(step.who, step.bytes);
      continue;
    }
    std::string_view rest = step.bytes;
    while (!rest.empty() && !room.closed(split)) {
      while (next_cut != cuts.end() && *next_cut <= offset) ++next_cut;
      const std::size_t end = offset + rest.size();
      const std::size_t stop = next_cut != cuts.end() && *next_cut < end ? *next_cut : end;
      const std::string_view piece = rest.substr(0, stop - offset);
      room.send(split, piece);
      sent.append(piece);
      rest.remove_prefix(piece.size());
      offset = stop;
      if (!room.closed(split)) {
        EXPECT_EQ(room.session(split).partial(), sent.back() != '\n')
            << "client " << split << " after " << offset << " bytes";
      }
    }
  }
  for (std::size_t who = 0; who < std::size(kScriptHosts); ++who)
    if (!room.closed(who)) room.hang_up(who);
  return room.take_all();
}

std::size_t input_size(std::size_t who) {
  std::size_t size = 0;
  for (const Step& step : kScript)
    if (step.who == who) size += step.bytes.size();
  return size;
}

TEST(ChatScript, WholeStepsGiveTheExpectedConversation) {
  const std::string greeting = [] {
    Room room;
    room.connect("127.0.0.1");
    return room.take(0);
  }();
  const Lines expected{
      greeting +
          "* welcome alice@127.0.0.1, 1 online: alice\n"
          "* bob@::1 joined (2 online)\n"
          "[bob@::1] hi!\n"
          "* carol@192.0.2.7 joined (3 online)\n"
          "* you are now ALICE\n"
          "[carol@192.0.2.7] abcdefghijklmnopqrstuvwx\n"
          "[carol@192.0.2.7] ok\n"
          "* bob \xF0\x9F\x98\x80 \xEF\xBF\xBD ok\n"
          "! unknown command: /dance\n"
          "* bob is now bobby\n"
          "[carol@192.0.2.7] abcdefghijklmnopqrstuvwx\n",
      greeting + "! name taken: Alice\n" + kInvalidName +
          "* welcome bob@::1, 2 online: alice, bob\n"
          "[alice@127.0.0.1] hello bob\n"
          "* 2 online: alice, bob\n"
          "* carol@192.0.2.7 joined (3 online)\n"
          "* alice is now ALICE\n"
          "[carol@192.0.2.7] abcdefghijklmnopqrstuvwx\n"
          "[carol@192.0.2.7] ok\n"
          "[ALICE@127.0.0.1] a[2Jbc\n"
          "! name taken: Carol\n"
          "* you are now bobby\n"
          "[carol@192.0.2.7] abcdefghijklmnopqrstuvwx\n"
          "* ALICE@127.0.0.1 left (2 online): bye\n",
      greeting + kInvalidName +
          "* welcome carol@192.0.2.7, 3 online: alice, bob, carol\n"
          "* history: 2 lines\n"
          "[alice@127.0.0.1] hello bob\n"
          "[bob@::1] hi!\n"
          "* end of history\n"
          "* alice is now ALICE\n" +
          too_long(24) +
          "* bob \xF0\x9F\x98\x80 \xEF\xBF\xBD ok\n"
          "[ALICE@127.0.0.1] a[2Jbc\n"
          "* bob is now bobby\n"
          "* ALICE@127.0.0.1 left (2 online): bye\n"
          "* 2 online: bobby, carol\n"
          "[bobby@::1] last line\n"
          "* bobby@::1 left (1 online)\n",
  };
  EXPECT_EQ(run_script(std::size(kScriptHosts), {}), expected);
}

TEST(ChatScript, AnySplitOfOneClientGivesTheSameOutput) {
  const Lines whole = run_script(std::size(kScriptHosts), {});
  for (std::size_t who = 0; who < std::size(kScriptHosts); ++who) {
    const std::size_t size = input_size(who);
    for (std::size_t i = 0; i <= size; ++i) {
      ASSERT_EQ(run_script(who, {i}), whole) << "client " << who << " cut at " << i;
      for (std::size_t j = i; j <= size; ++j)
        ASSERT_EQ(run_script(who, {i, j}), whole)
            << "client " << who << " cuts at " << i << ", " << j;
    }
  }
}

TEST(ChatScript, EveryByteAloneGivesTheSameOutput) {
  const Lines whole = run_script(std::size(kScriptHosts), {});
  for (std::size_t who = 0; who < std::size(kScriptHosts); ++who) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < input_size(who); ++i) cuts.push_back(i);
    EXPECT_EQ(run_script(who, cuts), whole) << "client " << who;
  }
}

// Flood control as the connection core provides it: a Pacer with as many
// tokens as the test gives it, and resume() when the test says they are back.
class CountedPacer final : public Pacer {
 public:
  bool take() noexcept override {
    if (tokens == 0) return false;
    --tokens;
    return true;
  }
  unsigned tokens = 0;
};

// A member out of tokens stops at the line that was refused one and holds
// the rest, complete lines included; resumed, it goes on in order.
TEST(ChatFlood, HoldsTheRestAndResumesInOrder) {
  Room room;
  CountedPacer pacer;
  pacer.tokens = 1 + 3;  // the name, then three lines
  const std::size_t a = room.connect("127.0.0.1", &pacer);
  expect_greeting(room, a);
  room.send(a, "alice\n");
  join(room, "::1", "bob");
  room.take_all();

  room.send(a, "1\n2\n3\n4\n5\n6");
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1] 1\n[alice@127.0.0.1] 2\n"
                                        "[alice@127.0.0.1] 3\n"}));
  EXPECT_TRUE(room.session(a).holding());
  pacer.tokens = 1;
  room.resume(a);
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1] 4\n"}));
  EXPECT_TRUE(room.session(a).holding());
  pacer.tokens = 10;
  room.resume(a);
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1] 5\n"}));
  // What is left is the start of a line, which needs no token yet.
  EXPECT_FALSE(room.session(a).holding());
  EXPECT_TRUE(room.session(a).partial());
  room.send(a, "\n7\n");
  EXPECT_EQ(room.take_all(), (Lines{"", "[alice@127.0.0.1] 6\n[alice@127.0.0.1] 7\n"}));
  EXPECT_EQ(pacer.tokens, 10u - 3u);  // 5, 6 and 7
}

// Every line a member ends costs a token: a command (a /nick flood is a
// flood too) and a blank line as much as a message.
TEST(ChatFlood, CommandsAndBlankLinesCostATokenToo) {
  Room room;
  CountedPacer pacer;
  pacer.tokens = 1 + 2;
  const std::size_t a = room.connect("127.0.0.1", &pacer);
  expect_greeting(room, a);
  room.send(a, "alice\n");
  join(room, "::1", "bob");
  room.take_all();

  room.send(a, "/who\n\n/nick carol\n");
  EXPECT_EQ(room.take_all(), (Lines{"* 2 online: alice, bob\n", ""}));
  EXPECT_TRUE(room.session(a).holding());
  pacer.tokens = 1;
  room.resume(a);
  EXPECT_EQ(room.take_all(), (Lines{"* you are now carol\n", "* alice is now carol\n"}));
  EXPECT_FALSE(room.session(a).holding());
}

// A /quit among the held lines ends the member there: what follows it is
// never handled.
TEST(ChatFlood, QuitAmongHeldLinesDropsWhatFollows) {
  Room room;
  CountedPacer pacer;
  pacer.tokens = 1;
  const std::size_t a = room.connect("127.0.0.1", &pacer);
  expect_greeting(room, a);
  room.send(a, "alice\n");
  join(room, "::1", "bob");
  room.take_all();

  room.send(a, "hi\n/quit bye\nnever\n");
  EXPECT_TRUE(room.session(a).holding());
  EXPECT_EQ(room.take_all(), (Lines{"", ""}));
  pacer.tokens = 10;
  room.resume(a);
  EXPECT_TRUE(room.closed(a));
  EXPECT_FALSE(room.session(a).holding());
  const std::string seen = room.take(1);
  EXPECT_EQ(seen.find("never"), std::string::npos) << seen;
  EXPECT_NE(seen.find("[alice@127.0.0.1] hi\n"), std::string::npos) << seen;
}

// max_line still applies to held input: a held line too long is refused
// when its turn comes, and the lines after it go on.
TEST(ChatFlood, MaxLineStillAppliesToHeldLines) {
  ChatSettings settings;
  settings.max_line = 8;
  Room room(settings);
  CountedPacer pacer;
  pacer.tokens = 1;
  const std::size_t a = room.connect("127.0.0.1", &pacer);
  expect_greeting(room, a);
  room.send(a, "alice\n");
  join(room, "::1", "bob");
  room.take_all();

  room.send(a, "far too long\nok\n" + std::string(20, 'z'));
  EXPECT_EQ(room.take_all(), (Lines{"", ""}));
  pacer.tokens = 10;
  room.resume(a);
  EXPECT_EQ(room.take_all(), (Lines{too_long(8) + too_long(8), "[alice@127.0.0.1] ok\n"}));
  EXPECT_FALSE(room.session(a).holding());
  EXPECT_TRUE(room.session(a).partial());  // discarding the long tail until its LF
}

}  // namespace
}  // namespace netcook::proto::chat
