// The journal sink, through the daemon's Logging configured for the
// journal, checked on what actually reaches the journal's socket: the test
// binds a datagram socket at /run/systemd/journal/socket in a private mount
// namespace (journal_capture.hpp) and parses each entry. Skipped when the
// namespace cannot be made (not root).

#include "journal_capture.hpp"

#include "config/config.hpp"
#include "log/fields.hpp"
#include "server/logging.hpp"

#include <gtest/gtest.h>

#include <spdlog/common.h>
#include <spdlog/logger.h>

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace netcook::test {
namespace {

config::Listener web_listener() {
  config::Listener listener;
  listener.name = "web";
  listener.protocol = config::Protocol::http;
  listener.model = config::Model::epoll;
  return listener;
}

class JournalSink : public testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = enter_private_journal_namespace()) GTEST_SKIP() << *why;
    journal_.emplace();
    logging_.configure({config::LogLevel::trace, config::LogTarget::journal}, std::nullopt);
  }

  // Logs `text` through `logger` and returns the entry that carries it.
  JournalEntry sent(spdlog::logger& logger, const std::string& text,
                    spdlog::level::level_enum level = spdlog::level::info) {
    const std::size_t mark = journal_->mark();
    logger.log(level, "{}", text);
    const auto entry = journal_->wait_for(
        [&](const JournalEntry& e) { return e.field("MESSAGE") == text; }, kWait, mark);
    if (!entry) {
      ADD_FAILURE() << "no entry with MESSAGE=" << text << "; received:\n" << journal_->dump(mark);
      return {};
    }
    return *entry;
  }

  void TearDown() override {
    if (!journal_) return;
    EXPECT_EQ(journal_->malformed(), 0u) << "datagrams that did not parse";
  }

  std::optional<JournalSocket> journal_;
  server::Logging logging_;
};

TEST_F(JournalSink, ListenerLoggerSendsItsFields) {
  const auto logger = logging_.for_listener(web_listener());
  const auto entry = sent(*logger, "listener line");
  EXPECT_EQ(entry.field("PRIORITY"), "6");
  EXPECT_EQ(entry.field("SYSLOG_IDENTIFIER"), "netcookd");
  EXPECT_EQ(entry.field("TID"), std::to_string(::syscall(SYS_gettid)));
  EXPECT_EQ(entry.field("LISTENER"), "web");
  EXPECT_EQ(entry.field("PROTOCOL"), "http");
  EXPECT_EQ(entry.field("MODEL"), "epoll");
  EXPECT_FALSE(entry.field("PEER")) << entry.describe();
  EXPECT_EQ(entry.sender, ::getpid());
  // Each field once: journald would keep both values of a repeated one.
  for (const auto& [name, value] : entry.fields) EXPECT_EQ(entry.count(name), 1u) << name;
}

TEST_F(JournalSink, MainLoggerSendsNoListenerFields) {
  const auto entry = sent(logging_.main(), "main line");
  EXPECT_EQ(entry.field("SYSLOG_IDENTIFIER"), "netcookd");
  EXPECT_EQ(entry.field("PRIORITY"), "6");
  EXPECT_TRUE(entry.field("TID"));
  for (const char* name : {"LISTENER", "PROTOCOL", "MODEL", "PEER"})
    EXPECT_FALSE(entry.field(name)) << name << " in\n" << entry.describe();
}

TEST_F(JournalSink, PriorityFollowsTheLevel) {
  const auto logger = logging_.for_listener(web_listener());
  const std::pair<spdlog::level::level_enum, const char*> levels[] = {
      {spdlog::level::trace, "7"}, {spdlog::level::debug, "7"}, {spdlog::level::info, "6"},
      {spdlog::level::warn, "4"},  {spdlog::level::err, "3"},   {spdlog::level::critical, "2"},
  };
  for (const auto& [level, priority] : levels) {
    const std::string text = std::string("at level ") + spdlog::level::to_string_view(level).data();
    EXPECT_EQ(sent(*logger, text, level).field("PRIORITY"), priority) << text;
  }
}

TEST_F(JournalSink, PeerOnlyInsideTheScope) {
  const auto logger = logging_.for_listener(web_listener());
  const std::string peer = "127.0.0.1:51234";
  const std::string other = "[::1]:40000";
  {
    const log::PeerScope scope(peer);
    EXPECT_EQ(sent(*logger, "connection line").field("PEER"), peer);
    EXPECT_EQ(sent(logging_.main(), "main line in the scope").field("PEER"), peer);
    {
      const log::PeerScope inner(other);
      EXPECT_EQ(sent(*logger, "inner line").field("PEER"), other);
    }
    EXPECT_EQ(sent(*logger, "outer again").field("PEER"), peer);
    // Another thread logs outside any scope of its own.
    std::optional<JournalEntry> from_thread;
    std::thread([&] { from_thread = sent(*logger, "other thread"); }).join();
    ASSERT_TRUE(from_thread);
    EXPECT_FALSE(from_thread->field("PEER")) << from_thread->describe();
  }
  // No stale PEER once the connection's scope has ended.
  const auto after = sent(*logger, "after the connection");
  EXPECT_FALSE(after.field("PEER")) << after.describe();
  EXPECT_EQ(log::PeerScope::peer(), "");
}

TEST_F(JournalSink, MultiLineMessageArrivesIntact) {
  const auto logger = logging_.for_listener(web_listener());
  const std::string text = "first line\nsecond line\n\tindented third\n";
  const auto entry = sent(*logger, text);
  EXPECT_EQ(entry.field("MESSAGE"), text);
  EXPECT_TRUE(entry.sent_binary("MESSAGE")) << "a newline needs the binary form";
  // The other fields are still there, in text form.
  EXPECT_EQ(entry.field("LISTENER"), "web");
  EXPECT_FALSE(entry.sent_binary("LISTENER"));
}

TEST_F(JournalSink, BigMessageArrivesIntact) {
  const auto logger = logging_.for_listener(web_listener());
  std::string text;
  for (int i = 0; text.size() < 512 * 1024; ++i) text += "line " + std::to_string(i) + "\n";
  const auto entry = sent(*logger, text);
  EXPECT_EQ(entry.field("MESSAGE").value_or("").size(), text.size());
  EXPECT_EQ(entry.field("LISTENER"), "web");
}

TEST_F(JournalSink, SourceLocationBecomesCodeFields) {
  const auto logger = logging_.for_listener(web_listener());
  const std::size_t mark = journal_->mark();
  logger->log(spdlog::source_loc{"daemon/x.cpp", 42, "serve"}, spdlog::level::warn, "located");
  const auto entry = journal_->wait_for(message_has("located"), kWait, mark);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->field("CODE_FILE"), "daemon/x.cpp");
  EXPECT_EQ(entry->field("CODE_LINE"), "42");
  EXPECT_EQ(entry->field("CODE_FUNC"), "serve");
  EXPECT_EQ(entry->field("PRIORITY"), "4");
}

// The fork model's processes make their own loggers: the master's without
// fields, a listener's (and its connection processes') with them.
TEST_F(JournalSink, StandaloneLoggersCarryTheFieldsTheyAreGiven) {
  const auto master = logging_.standalone("fork-master");
  const auto master_entry = sent(*master, "master line");
  for (const char* name : {"LISTENER", "PROTOCOL", "MODEL"})
    EXPECT_FALSE(master_entry.field(name)) << name << " in\n" << master_entry.describe();

  const auto child = logging_.standalone("room", {"room", "chat", "fork"});
  const auto child_entry = sent(*child, "child line");
  EXPECT_EQ(child_entry.field("LISTENER"), "room");
  EXPECT_EQ(child_entry.field("PROTOCOL"), "chat");
  EXPECT_EQ(child_entry.field("MODEL"), "fork");
  EXPECT_EQ(child_entry.field("SYSLOG_IDENTIFIER"), "netcookd");
}

// A connection process of the fork model closes every descriptor it
// inherits, libsystemd's journal socket too, then makes its logger: its
// lines must still arrive, sent by itself.
TEST_F(JournalSink, ForkedProcessThatClosedEveryDescriptorStillLogs) {
  sent(logging_.main(), "before the fork");  // libsystemd has its socket now
  const std::size_t mark = journal_->mark();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close_range(STDERR_FILENO + 1, ~0U, 0);
    const auto logger = logging_.standalone("room", {"room", "chat", "fork"});
    logger->info("from the child");
    ::_exit(0);
  }
  int status = -1;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const auto entry = journal_->wait_for(message_has("from the child"), kWait, mark);
  ASSERT_TRUE(entry) << "the child's line did not arrive; received:\n" << journal_->dump(mark);
  EXPECT_EQ(entry->sender, child);
  EXPECT_EQ(entry->field("TID"), std::to_string(child));
  EXPECT_EQ(entry->field("LISTENER"), "room");
}

TEST(JournalFields, OfAListenerUseTheConfigWords) {
  config::Listener listener;
  listener.name = "room";
  listener.protocol = config::Protocol::chat;
  listener.model = config::Model::coroutine;
  const auto fields = server::fields_of(listener);
  EXPECT_EQ(fields.listener, "room");
  EXPECT_EQ(fields.protocol, "chat");
  EXPECT_EQ(fields.model, "coroutine");
}

}  // namespace
}  // namespace netcook::test
