// What the chat room tells the journal under every model, captured at a
// private /run/systemd/journal/socket (journal_capture.hpp): a member's
// join, rename and leave at info, in the listener's logger (LISTENER=,
// PROTOCOL=, MODEL=), with CHAT_NAME=, CHAT_OLD_NAME=, PEER= and, for a
// leave, CLOSE_REASON= and the reason in the text: /quit with its words, or
// the connection's close reason (peer_closed for a client that just goes).
// Under fork the room lives in the fork master and the reason comes from
// the connection process: it must arrive before the room hears it left.
// Skipped when the namespace cannot be made (not root).

#include "client.hpp"
#include "daemon.hpp"
#include "journal_capture.hpp"
#include "models.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>

namespace netcook::test {
namespace {

const std::string kGreeting = "* welcome to netcookd chat; send your name (/help for commands)\n";

std::string config_for(const std::string& model) {
  return "log:\n"
         "  level: info\n"
         "  target: journal\n"
         "defaults:\n"
         "  shutdown_timeout: 100ms\n"
         "listeners:\n"
         "  - name: room\n"
         "    protocol: chat\n"
         "    model: " + model + "\n"
         "    listen: 127.0.0.1:0\n";
}

class ChatJournal : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (const auto why = enter_private_journal_namespace()) GTEST_SKIP() << *why;
    journal_.emplace();
    daemon_.emplace(config_for(GetParam()), DaemonOptions{.wait_ready = false});
    ASSERT_TRUE(journal_->wait_for(message_has("ready: 1 listener")))
        << "no ready line in the journal; received:\n" << journal_->dump();
  }

  void TearDown() override {
    if (!journal_) return;
    EXPECT_EQ(journal_->malformed(), 0u) << "datagrams that did not parse";
    if (HasFailure()) std::cerr << "---- journal entries ----\n" << journal_->dump();
  }

  std::uint16_t port() const {
    const auto entry = journal_->wait_for(message_has("listener room: "));
    if (!entry) throw std::runtime_error("no start-up line for the room");
    const std::string message = entry->field("MESSAGE").value_or("");
    std::smatch match;
    if (!std::regex_search(message, match, std::regex(R"( on 127\.0\.0\.1:(\d+)$)")))
      throw std::runtime_error("no port in: " + message);
    return static_cast<std::uint16_t>(std::stoul(match[1]));
  }

  // A client that joined as `name`, its greeting and welcome read.
  Client join(const std::string& name) const {
    auto client = Client::connect(port());
    EXPECT_EQ(client.read_line(), kGreeting);
    EXPECT_EQ(client.write_all(name + "\n"), IoStatus::ok);
    EXPECT_EQ(client.read_line().rfind("* welcome " + name + "@127.0.0.1, ", 0), 0u);
    return client;
  }

  // The room's entry whose MESSAGE is `text`: at info, with the listener's
  // fields and `fields`; a field named with an empty value must be absent.
  void expect_entry(const std::string& text, const std::map<std::string, std::string>& fields) {
    const auto entry = journal_->wait_for(
        [&](const JournalEntry& e) { return e.field("MESSAGE") == text; });
    ASSERT_TRUE(entry) << "no journal entry: " << text;
    EXPECT_EQ(entry->field("PRIORITY"), "6") << text;
    EXPECT_EQ(entry->field("LISTENER"), "room") << text;
    EXPECT_EQ(entry->field("PROTOCOL"), "chat") << text;
    EXPECT_EQ(entry->field("MODEL"), GetParam()) << text;
    for (const auto& [name, value] : fields) {
      if (value.empty())
        EXPECT_FALSE(entry->field(name)) << name << " on: " << text;
      else
        EXPECT_EQ(entry->field(name), value) << name << " on: " << text;
    }
  }

  std::optional<JournalSocket> journal_;  // outlives the daemon
  std::optional<Daemon> daemon_;
};

TEST_P(ChatJournal, JoinNickQuitAndCloseAreLoggedWithTheirFields) {
  auto alice = join("alice");
  const std::string alice_peer = alice.local_address();
  expect_entry("chat: alice joined from 127.0.0.1",
               {{"CHAT_NAME", "alice"}, {"PEER", alice_peer}, {"CHAT_OLD_NAME", ""}});

  auto bob = join("bob");
  const std::string bob_peer = bob.local_address();
  expect_entry("chat: bob joined from 127.0.0.1", {{"CHAT_NAME", "bob"}, {"PEER", bob_peer}});
  EXPECT_EQ(alice.read_line(), "* bob@127.0.0.1 joined (2 online)\n");

  ASSERT_EQ(bob.write_all("/nick robert\n"), IoStatus::ok);
  EXPECT_EQ(bob.read_line(), "* you are now robert\n");
  expect_entry("chat: bob is now robert",
               {{"CHAT_NAME", "robert"}, {"CHAT_OLD_NAME", "bob"}, {"PEER", bob_peer}});

  ASSERT_EQ(bob.write_all("/quit gone fishing\n"), IoStatus::ok);
  EXPECT_EQ(bob.wait_closed(), IoStatus::closed);
  expect_entry("chat: robert left: quit \"gone fishing\"",
               {{"CHAT_NAME", "robert"}, {"CLOSE_REASON", "session_closed"}, {"PEER", bob_peer}});

  // A member who just goes: its end of file, once it read everything (an
  // unread line would make the close a reset).
  EXPECT_EQ(alice.read_line(), "* bob is now robert\n");
  EXPECT_EQ(alice.read_line(), "* robert@127.0.0.1 left (1 online): gone fishing\n");
  alice.shutdown_write();
  EXPECT_EQ(alice.wait_closed(), IoStatus::closed);
  expect_entry("chat: alice left: peer_closed",
               {{"CHAT_NAME", "alice"}, {"CLOSE_REASON", "peer_closed"}, {"PEER", alice_peer}});
}

TEST_P(ChatJournal, QuitWithoutReasonSaysQuit) {
  auto carol = join("carol");
  ASSERT_EQ(carol.write_all("/quit\n"), IoStatus::ok);
  EXPECT_EQ(carol.wait_closed(), IoStatus::closed);
  expect_entry("chat: carol left: quit",
               {{"CHAT_NAME", "carol"}, {"CLOSE_REASON", "session_closed"}});
}

// Members still in when the daemon stops leave with it: each is logged
// with the reason (and counted as gone).
TEST_P(ChatJournal, MembersStillInLeaveWithTheDaemon) {
  auto dave = join("dave");
  expect_entry("chat: dave joined from 127.0.0.1", {{"CHAT_NAME", "dave"}});
  daemon_->send_signal(SIGTERM);
  EXPECT_EQ(dave.read_line(), "* server shutting down; goodbye\n");
  EXPECT_EQ(dave.wait_closed(), IoStatus::closed);
  expect_entry("chat: dave left: shutdown", {{"CHAT_NAME", "dave"}, {"CLOSE_REASON", "shutdown"}});
  EXPECT_EQ(daemon_->wait_exit(kWait), 0);
}

INSTANTIATE_TEST_SUITE_P(Models, ChatJournal, kAllModels, model_name);

}  // namespace
}  // namespace netcook::test
