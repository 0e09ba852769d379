// What the real daemon sends to the journal with `log: {target: journal}`,
// captured at a private /run/systemd/journal/socket (journal_capture.hpp)
// that the daemon inherits with the test's mount namespace: start-up lines
// with the listener's LISTENER/PROTOCOL/MODEL, the HTTP access log and the
// drivers' per-connection lines with PEER=, no PEER on a later line of the
// same thread, a fork-model connection's lines sent by its own process,
// and the access log's HTTP_* fields under every model. Skipped when the
// namespace cannot be made (not root).

#include "client.hpp"
#include "daemon.hpp"
#include "http_reply.hpp"
#include "journal_capture.hpp"
#include "models.hpp"

#include <gtest/gtest.h>

#include <sys/types.h>

#include <cstdint>
#include <iostream>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>

namespace netcook::test {
namespace {

// One listener per protocol, each under another model. `web` serves one
// connection at a time, so a second client is refused (a non-connection
// line on the thread that just logged a connection's lines).
constexpr std::string_view kConfig = R"(log:
  level: info
  target: journal
listeners:
  - name: web
    protocol: http
    model: epoll
    listen: 127.0.0.1:0
    max_connections: 1
    http:
      access_log: true
  - name: echo
    protocol: echo
    model: thread
    listen: 127.0.0.1:0
    idle_timeout: 1s
    echo:
      mode: raw
  - name: room
    protocol: chat
    model: fork
    listen: 127.0.0.1:0
    log_connections: true
)";

// An entry of listener `name` whose MESSAGE contains `text`.
EntryMatch listener_line(std::string name, std::string text) {
  return [name = std::move(name), has = message_has(std::move(text))](const JournalEntry& e) {
    return e.field("LISTENER") == name && has(e);
  };
}

class Journal : public testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = enter_private_journal_namespace()) GTEST_SKIP() << *why;
    journal_.emplace();
    // Debug, for the drivers' per-connection lines.
    daemon_.emplace(kConfig,
                    DaemonOptions{.extra_args = {"--log-level", "debug"}, .wait_ready = false});
    ready_ = journal_->wait_for(message_has("ready: 3 listeners"));
    ASSERT_TRUE(ready_) << "no ready line in the journal; received:\n" << journal_->dump();
  }

  void TearDown() override {
    if (!journal_) return;
    EXPECT_EQ(journal_->malformed(), 0u) << "datagrams that did not parse";
    if (HasFailure()) std::cerr << "---- journal entries ----\n" << journal_->dump();
  }

  // The entry announcing listener `name` ("listener NAME: P/M on ADDRESS").
  JournalEntry started(const std::string& name) const {
    const auto entry = journal_->wait_for(message_has("listener " + name + ": "));
    if (!entry) throw std::runtime_error("no start-up line for listener " + name);
    return *entry;
  }

  std::uint16_t port_of(const std::string& name) const {
    const std::string message = started(name).field("MESSAGE").value_or("");
    std::smatch match;
    if (!std::regex_search(message, match, std::regex(R"( on 127\.0\.0\.1:(\d+)$)")))
      throw std::runtime_error("no port in: " + message);
    return static_cast<std::uint16_t>(std::stoul(match[1]));
  }

  JournalEntry wait(const EntryMatch& match, const std::string& what) const {
    const auto entry = journal_->wait_for(match);
    if (!entry) throw std::runtime_error("no journal entry: " + what);
    return *entry;
  }

  std::optional<JournalSocket> journal_;  // outlives the daemon
  std::optional<Daemon> daemon_;
  std::optional<JournalEntry> ready_;
};

TEST_F(Journal, StartUpLinesCarryTheirListenersFields) {
  EXPECT_EQ(ready_->field("PRIORITY"), "6");
  EXPECT_EQ(ready_->field("SYSLOG_IDENTIFIER"), "netcookd");
  EXPECT_EQ(ready_->sender, daemon_->pid());
  for (const char* name : {"LISTENER", "PROTOCOL", "MODEL", "PEER"})
    EXPECT_FALSE(ready_->field(name)) << name << " on the main logger's line";

  const struct {
    std::string name, protocol, model;
  } listeners[] = {{"web", "http", "epoll"}, {"echo", "echo", "thread"}, {"room", "chat", "fork"}};
  for (const auto& listener : listeners) {
    SCOPED_TRACE(listener.name);
    const JournalEntry entry = started(listener.name);
    EXPECT_EQ(entry.field("PRIORITY"), "6");
    EXPECT_EQ(entry.field("SYSLOG_IDENTIFIER"), "netcookd");
    EXPECT_EQ(entry.field("LISTENER"), listener.name);
    EXPECT_EQ(entry.field("PROTOCOL"), listener.protocol);
    EXPECT_EQ(entry.field("MODEL"), listener.model);
    EXPECT_FALSE(entry.field("PEER"));
    EXPECT_EQ(entry.sender, daemon_->pid());
  }
}

TEST_F(Journal, AccessLogCarriesTheClientAsPeer) {
  auto client = Client::connect(port_of("web"));
  const std::string peer = client.local_address();
  ASSERT_EQ(client.write_all(http_get("/")), IoStatus::ok);
  const HttpReply reply = read_reply(client);
  ASSERT_EQ(reply.status, 200);

  const JournalEntry access = wait(listener_line("web", "\"GET / HTTP/1.1\" 200"), "access log");
  EXPECT_EQ(access.field("PRIORITY"), "6");
  EXPECT_EQ(access.field("PROTOCOL"), "http");
  EXPECT_EQ(access.field("MODEL"), "epoll");
  EXPECT_EQ(access.field("PEER"), peer);
  EXPECT_EQ(access.field("SYSLOG_IDENTIFIER"), "netcookd");

  const JournalEntry served = wait(listener_line("web", "connection from " + peer), "served");
  EXPECT_EQ(served.field("PRIORITY"), "7");
  EXPECT_EQ(served.field("PEER"), peer);
  EXPECT_EQ(served.field("TID"), access.field("TID"));

  // `client` holds the only place: the next one is refused, and the worker
  // thread that logged `client`'s lines says so without any PEER.
  const std::size_t mark = journal_->mark();
  auto refused = Client::connect(port_of("web"));
  EXPECT_EQ(read_reply(refused).status, 503);
  const auto refusal =
      journal_->wait_for(listener_line("web", "max_connections reached"), kWait, mark);
  ASSERT_TRUE(refusal) << "no refusal line";
  EXPECT_EQ(refusal->field("TID"), access.field("TID")) << "not the same thread";
  EXPECT_FALSE(refusal->field("PEER")) << "a stale PEER:\n" << refusal->describe();
}

TEST_F(Journal, ThreadModelConnectionLinesCarryPeer) {
  auto client = Client::connect(port_of("echo"));
  const std::string peer = client.local_address();
  EXPECT_EQ(client.exchange("ping"), "ping");

  const JournalEntry served = wait(listener_line("echo", "connection from " + peer), "served");
  EXPECT_EQ(served.field("PRIORITY"), "7");
  EXPECT_EQ(served.field("PROTOCOL"), "echo");
  EXPECT_EQ(served.field("MODEL"), "thread");
  EXPECT_EQ(served.field("PEER"), peer);

  // idle_timeout: 1s closes it, and says so with the same PEER.
  const JournalEntry closed = wait(listener_line("echo", "idle for"), "idle close");
  EXPECT_EQ(closed.field("PEER"), peer);
  EXPECT_EQ(closed.field("TID"), served.field("TID"));
  EXPECT_EQ(client.wait_closed(), IoStatus::closed);
}

// A connection's end carries its figures as fields: at info with
// log_connections (room, from its connection process), at debug without
// (echo).
TEST_F(Journal, ConnectionEndCarriesItsFigures) {
  const std::string greeting = "* welcome to netcookd chat; send your name (/help for commands)\n";
  auto member = Client::connect(port_of("room"));
  const std::string peer = member.local_address();
  EXPECT_EQ(member.read_line(), greeting);
  ASSERT_EQ(member.write_all("/quit\n"), IoStatus::ok);
  EXPECT_EQ(member.wait_closed(), IoStatus::closed);
  const JournalEntry end =
      wait(listener_line("room", "from " + peer + " closed: session_closed after "), "room end");
  EXPECT_EQ(end.field("PRIORITY"), "6");
  EXPECT_EQ(end.field("PEER"), peer);
  EXPECT_EQ(end.field("CLOSE_REASON"), "session_closed");
  EXPECT_EQ(end.field("BYTES_IN"), "6");
  EXPECT_EQ(end.field("BYTES_OUT"), std::to_string(greeting.size()));
  EXPECT_TRUE(std::regex_match(end.field("CONNECTION_ID").value_or(""), std::regex("[0-9]+")));
  EXPECT_TRUE(std::regex_match(end.field("DURATION_USEC").value_or(""), std::regex("[0-9]+")));

  auto client = Client::connect(port_of("echo"));
  const std::string echo_peer = client.local_address();
  EXPECT_EQ(client.exchange("ping"), "ping");
  EXPECT_EQ(client.wait_closed(), IoStatus::closed);  // idle_timeout: 1s
  const JournalEntry idle =
      wait(listener_line("echo", "from " + echo_peer + " closed: idle_timeout after "), "echo end");
  EXPECT_EQ(idle.field("PRIORITY"), "7");
  EXPECT_EQ(idle.field("CLOSE_REASON"), "idle_timeout");
  EXPECT_EQ(idle.field("BYTES_IN"), "4");
  EXPECT_EQ(idle.field("BYTES_OUT"), "4");
}

TEST_F(Journal, ForkConnectionLinesComeFromTheConnectionProcess) {
  // The fork master's own line: its process, none of a listener's fields.
  const auto running = message_has(" running");
  const JournalEntry master =
      wait([&](const JournalEntry& e) { return message_has("fork master ")(e) && running(e); },
           "fork master line");
  EXPECT_NE(master.sender, daemon_->pid());
  for (const char* name : {"LISTENER", "PROTOCOL", "MODEL", "PEER"})
    EXPECT_FALSE(master.field(name)) << name << " on the fork master's line";

  auto client = Client::connect(port_of("room"));
  const std::string peer = client.local_address();
  EXPECT_EQ(client.read_line(),
            "* welcome to netcookd chat; send your name (/help for commands)\n");

  const JournalEntry served =
      wait(listener_line("room", "connection from " + peer + " served by process "), "served");
  const std::string message = served.field("MESSAGE").value_or("");
  const pid_t child = std::stoi(message.substr(message.rfind(' ') + 1));
  EXPECT_EQ(served.sender, child) << "sent by another process than the one serving";
  EXPECT_NE(child, daemon_->pid());
  EXPECT_NE(child, master.sender);
  EXPECT_EQ(served.field("TID"), std::to_string(child));
  EXPECT_EQ(served.field("PRIORITY"), "7");
  EXPECT_EQ(served.field("PROTOCOL"), "chat");
  EXPECT_EQ(served.field("MODEL"), "fork");
  EXPECT_EQ(served.field("PEER"), peer);
}

// The HTTP access log under every model: one request with a User-Agent
// and a Referer, and its line's fields, sent from wherever the model
// serves it (a worker thread, a connection's thread or process).
TEST(JournalHttp, AccessLogCarriesTheRequestsFieldsUnderEveryModel) {
  if (const auto why = enter_private_journal_namespace()) GTEST_SKIP() << *why;
  JournalSocket journal;  // outlives the daemon
  std::string config = "log:\n  level: info\n  target: journal\nlisteners:\n";
  for (const std::string& model : model_names())
    config += "  - name: web-" + model + "\n    protocol: http\n    model: " + model +
              "\n    listen: 127.0.0.1:0\n    http:\n      access_log: true\n";
  Daemon daemon(config, DaemonOptions{.wait_ready = false});
  ASSERT_TRUE(journal.wait_for(
      message_has("ready: " + std::to_string(model_names().size()) + " listeners")))
      << journal.dump();

  for (const std::string& model : model_names()) {
    SCOPED_TRACE(model);
    const std::string name = "web-" + model;
    const auto start = journal.wait_for(message_has("listener " + name + ": "));
    ASSERT_TRUE(start);
    std::smatch port;
    const std::string announced = start->field("MESSAGE").value_or("");
    ASSERT_TRUE(std::regex_search(announced, port, std::regex(R"( on 127\.0\.0\.1:(\d+)$)")));

    auto client = Client::connect(static_cast<std::uint16_t>(std::stoul(port[1])));
    const std::string peer = client.local_address();
    ASSERT_EQ(client.write_all(http_get("/x?y=1",
                                        "User-Agent: probe/1.0 (\"quoted\")\r\n"
                                        "Referer: http://example.test/from\r\n"
                                        "Connection: close\r\n")),
              IoStatus::ok);
    std::string response;  // everything, up to the close the request asked for
    IoStatus read = IoStatus::ok;
    while ((read = client.read_available(response)) == IoStatus::ok) {
    }
    ASSERT_EQ(read, IoStatus::closed) << response;
    ASSERT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;

    const auto access = journal.wait_for([&](const JournalEntry& e) {
      return e.field("LISTENER") == name && e.field("HTTP_STATUS").has_value();
    });
    ASSERT_TRUE(access) << "no access log line";
    EXPECT_EQ(access->field("PRIORITY"), "6");
    EXPECT_EQ(access->field("MODEL"), model);
    EXPECT_EQ(access->field("PEER"), peer);
    EXPECT_EQ(access->field("HTTP_METHOD"), "GET");
    EXPECT_EQ(access->field("HTTP_TARGET"), "/x?y=1");
    EXPECT_EQ(access->field("HTTP_VERSION"), "HTTP/1.1");
    EXPECT_EQ(access->field("HTTP_STATUS"), "200");
    EXPECT_EQ(access->field("HTTP_USER_AGENT"), "probe/1.0 (\"quoted\")");
    EXPECT_EQ(access->field("HTTP_REFERER"), "http://example.test/from");
    EXPECT_EQ(access->field("BYTES_OUT"), std::to_string(response.size()));
    EXPECT_TRUE(std::regex_match(access->field("DURATION_USEC").value_or(""), std::regex("[0-9]+")));
    const std::string expected = peer + " \"GET /x?y=1 HTTP/1.1\" 200 " +
                                 std::to_string(response.size()) + " ";
    const std::string message = access->field("MESSAGE").value_or("");
    EXPECT_TRUE(message.starts_with(expected)) << message;
    // The duration, then the Referer and the User-Agent, its quotes escaped.
    const std::regex tail(R"re( [0-9]+\.[0-9]{3}m?s "http://example\.test/from" )re"
                          R"re("probe/1\.0 \(\\"quoted\\"\)"$)re");
    EXPECT_TRUE(std::regex_search(message, tail)) << message;
    if (model == "fork") {
      EXPECT_NE(access->sender, daemon.pid()) << "not the connection's process";
    }
  }
}

}  // namespace
}  // namespace netcook::test
