// What the chat room tells operators: its joins, renames and leaves (with
// the reason) as log lines at info with journal fields (CHAT_NAME=,
// CHAT_OLD_NAME=, CLOSE_REASON=, PEER=), and its joins, leaves and lines as
// the listener's counters. Sessions and the hub are wired synchronously, as
// a single-threaded driver would, closing each connection the way every
// model does: the session hears closed(reason), then the hub hears gone().

#include "log/fields.hpp"
#include "metrics/arena.hpp"
#include "proto/chat/chat.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

namespace netcook::proto::chat {
namespace {

using metrics::CloseReason;

// One logged line: its level, text and fields (PEER= among them).
struct Event {
  spdlog::level::level_enum level;
  std::string text;
  std::map<std::string, std::string> fields;
};

class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<Event> events;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    Event event{msg.level, std::string(msg.payload.data(), msg.payload.size()), {}};
    if (const auto peer = log::PeerScope::peer(); !peer.empty())
      event.fields["PEER"] = std::string(peer);
    for (const log::Field& field : log::FieldScope::fields())
      event.fields[std::string(field.name)] = std::string(field.value);
    events.push_back(std::move(event));
  }
  void flush_() override {}
};

class Room final : private Courier {
 public:
  Room()
      : sink_(std::make_shared<CaptureSink>()),
        log_("chat", sink_),
        metrics_(arena_.take("chat", "chat", "select", "127.0.0.1:0")),
        hub_(make_chat_hub({}, ServiceContext{metrics_, &log_, {}})) {
    log_.set_level(spdlog::level::debug);
  }

  // A connection from `host`, port 4000 + its index; returns its index.
  std::size_t connect(const std::string& host) {
    const std::size_t index = clients_.size();
    auto client = std::make_unique<Client>(*this, 100 + index);
    client->context.peer = host + ":" + std::to_string(4000 + index);
    client->context.peer_host = host;
    client->context.uplink = client.get();
    client->session = make_chat_session({}, client->context);
    client->session->open(client->out);
    clients_.push_back(std::move(client));
    return index;
  }

  void send(std::size_t who, std::string_view bytes) {
    Client& client = *clients_.at(who);
    client.session->receive(bytes, client.out);
  }

  bool closing(std::size_t who) const { return clients_.at(who)->session->closing(); }

  // The connection closed for `why`, as every model ends one.
  void close(std::size_t who, CloseReason why) {
    Client& client = *clients_.at(who);
    client.session->closed(why);
    client.session.reset();
    hub_->gone(client.id, *this);
  }

  // The listener's driver goes: the room hears why, then it goes.
  void end(CloseReason why) {
    hub_->ended(why);
    hub_.reset();
  }

  // The events logged since the last take().
  std::vector<Event> take() {
    std::vector<Event> events;
    events.swap(sink_->events);
    return events;
  }

  metrics::ListenerFigures figures() const {
    const auto all = arena_.figures();
    EXPECT_EQ(all.listeners.size(), 1u);
    return all.listeners.empty() ? metrics::ListenerFigures{} : all.listeners.front();
  }

 private:
  struct Client final : Uplink {
    Client(Room& owner, ConnectionId connection) : room(owner), id(connection) {}
    void send(std::string_view message) override { room.hub_->message(id, message, room); }

    Room& room;
    const ConnectionId id;
    SessionContext context;
    std::unique_ptr<Session> session;
    Outbox out;
  };

  void deliver(ConnectionId, std::string_view) override {}

  std::shared_ptr<CaptureSink> sink_;
  spdlog::logger log_;
  metrics::Arena arena_;
  metrics::ListenerMetrics metrics_;
  std::unique_ptr<Service> hub_;
  std::vector<std::unique_ptr<Client>> clients_;
};

// Expects exactly one event, at info, saying `text` with `fields` (and no
// other field but CONNECTION_ID).
void expect_event(const std::vector<Event>& events, const std::string& text,
                  std::map<std::string, std::string> fields) {
  ASSERT_EQ(events.size(), 1u) << (events.empty() ? "no event" : events.front().text);
  const Event& event = events.front();
  EXPECT_EQ(event.level, spdlog::level::info);
  EXPECT_EQ(event.text, text);
  EXPECT_TRUE(event.fields.contains("CONNECTION_ID")) << text;
  auto got = event.fields;
  got.erase("CONNECTION_ID");
  EXPECT_EQ(got, fields) << text;
}

TEST(ChatEvents, JoinNickAndLeaveAreLoggedWithTheirFields) {
  Room room;
  const std::size_t a = room.connect("127.0.0.1");
  EXPECT_TRUE(room.take().empty());  // a connection is not a member yet
  room.send(a, "alice\n");
  expect_event(room.take(), "chat: alice joined from 127.0.0.1",
               {{"CHAT_NAME", "alice"}, {"PEER", "127.0.0.1:4000"}});

  room.send(a, "/nick bob\n");
  expect_event(room.take(), "chat: alice is now bob",
               {{"CHAT_NAME", "bob"}, {"CHAT_OLD_NAME", "alice"}, {"PEER", "127.0.0.1:4000"}});
  room.send(a, "/nick bob\n");  // no change, nothing to say
  EXPECT_TRUE(room.take().empty());

  room.close(a, CloseReason::peer_closed);
  expect_event(room.take(), "chat: bob left: peer_closed",
               {{"CHAT_NAME", "bob"}, {"CLOSE_REASON", "peer_closed"}, {"PEER", "127.0.0.1:4000"}});
}

TEST(ChatEvents, LeaveSaysTheCloseReason) {
  Room room;
  for (const auto why : {CloseReason::idle_timeout, CloseReason::outbox_overflow,
                         CloseReason::shutdown, CloseReason::listener_removed,
                         CloseReason::peer_reset, CloseReason::read_timeout}) {
    const std::size_t who = room.connect("192.0.2.9");
    room.send(who, "carol\n");
    room.take();
    room.close(who, why);
    const std::string word(metrics::to_string(why));
    expect_event(room.take(), "chat: carol left: " + word,
                 {{"CHAT_NAME", "carol"},
                  {"CLOSE_REASON", word},
                  {"PEER", "192.0.2.9:" + std::to_string(4000 + who)}});
  }
}

TEST(ChatEvents, QuitIsTheReasonWithOrWithoutText) {
  Room room;
  const std::size_t a = room.connect("192.0.2.7");
  room.send(a, "dave\n/quit gone fishing\n");
  ASSERT_TRUE(room.closing(a));
  room.take();
  room.close(a, CloseReason::session_closed);
  expect_event(room.take(), "chat: dave left: quit \"gone fishing\"",
               {{"CHAT_NAME", "dave"}, {"CLOSE_REASON", "session_closed"},
                {"PEER", "192.0.2.7:4000"}});

  const std::size_t b = room.connect("192.0.2.8");
  room.send(b, "erin\n/quit\n");
  ASSERT_TRUE(room.closing(b));
  room.take();
  room.close(b, CloseReason::session_closed);
  expect_event(room.take(), "chat: erin left: quit",
               {{"CHAT_NAME", "erin"}, {"CLOSE_REASON", "session_closed"},
                {"PEER", "192.0.2.8:4001"}});
}

TEST(ChatEvents, NonMembersLeaveSilently) {
  Room room;
  const std::size_t a = room.connect("127.0.0.1");
  room.send(a, "/quit\n");
  room.close(a, CloseReason::session_closed);
  const std::size_t b = room.connect("127.0.0.1");
  room.send(b, "not a name!\n");
  room.close(b, CloseReason::peer_closed);
  EXPECT_TRUE(room.take().empty());
  EXPECT_EQ(room.figures().chat_joins, 0u);
  EXPECT_EQ(room.figures().chat_leaves, 0u);
}

TEST(ChatEvents, JoinsLeavesAndLinesAreCounted) {
  Room room;
  const std::size_t a = room.connect("127.0.0.1");
  const std::size_t b = room.connect("127.0.0.1");
  room.send(a, "alice\n");
  room.send(b, "bob\n");
  // Lines said to the room count, /me too; commands and refusals do not.
  room.send(a, "hello\n/me waves\n/who\n/help\n/nick al\n/me\n/bogus\n");
  room.send(b, "hi\n");
  auto figures = room.figures();
  EXPECT_EQ(figures.chat_joins, 2u);
  EXPECT_EQ(figures.chat_leaves, 0u);
  EXPECT_EQ(figures.chat_lines, 3u);
  EXPECT_EQ(figures.chat_members(), 2u);
  // Each copy the room handed out: 2 welcomes, bob's join notice to
  // alice, 3 lines to the other member, /who's roster, /help's 6 lines,
  // /nick's answer and notice, /me's usage, /bogus's answer.
  EXPECT_EQ(figures.chat_deliveries, 2u + 1u + 3u + 1u + 6u + 2u + 1u + 1u);

  room.close(a, CloseReason::peer_reset);
  figures = room.figures();
  EXPECT_EQ(figures.chat_leaves, 1u);
  EXPECT_EQ(figures.chat_members(), 1u);
}

// Members still in when the listener goes leave with it: each is logged
// with the listener's reason and counted, so the member count of a
// successor sharing the counters starts right.
TEST(ChatEvents, MembersLeaveWithTheListener) {
  Room room;
  const std::size_t a = room.connect("127.0.0.1");
  const std::size_t b = room.connect("127.0.0.1");
  room.connect("127.0.0.1");  // never joins
  room.send(a, "alice\n");
  room.send(b, "bob\n");
  room.take();
  room.end(CloseReason::listener_removed);
  const auto events = room.take();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].text, "chat: alice left: listener_removed");
  EXPECT_EQ(events[0].fields.at("CLOSE_REASON"), "listener_removed");
  EXPECT_EQ(events[1].text, "chat: bob left: listener_removed");
  const auto figures = room.figures();
  EXPECT_EQ(figures.chat_joins, 2u);
  EXPECT_EQ(figures.chat_leaves, 2u);
  EXPECT_EQ(figures.chat_members(), 0u);
}

}  // namespace
}  // namespace netcook::proto::chat
