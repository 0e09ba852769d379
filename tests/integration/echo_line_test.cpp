// Line-mode echo through the real daemon: the prefix and its placeholders,
// lines split across writes, and lines longer than max_line.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "models.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace netcook::test {
namespace {

class EchoLine : public ::testing::TestWithParam<std::string> {};

TEST_P(EchoLine, PrefixIsPutBeforeEachLine) {
  Daemon daemon(make_config({{.name = "lines",
                              .model = GetParam(),
                              .mode = "line",
                              .prefix = "You said: "}}));
  auto client = Client::connect(daemon.port_of("lines"));
  ASSERT_EQ(client.write_all("hello\n"), IoStatus::ok);
  EXPECT_EQ(client.read_line(), "You said: hello\n");

  ASSERT_EQ(client.write_all("one\ntwo\n"), IoStatus::ok);
  EXPECT_EQ(client.read_line(), "You said: one\n");
  EXPECT_EQ(client.read_line(), "You said: two\n");

  // A line arriving in two writes is one line.
  ASSERT_EQ(client.write_all("par"), IoStatus::ok);
  ASSERT_EQ(client.write_all("tial\n"), IoStatus::ok);
  EXPECT_EQ(client.read_line(), "You said: partial\n");

  // Binary-safe apart from the line feed.
  const std::string binary("a\0b\rc\xff\n", 7);
  ASSERT_EQ(client.write_all(binary), IoStatus::ok);
  EXPECT_EQ(client.read_line(), "You said: " + binary);
}

TEST_P(EchoLine, LongLineIsEchoedInPieces) {
  Daemon daemon(make_config({{.name = "lines",
                              .model = GetParam(),
                              .mode = "line",
                              .max_line = "16B"}}));
  auto client = Client::connect(daemon.port_of("lines"));
  std::string line;
  for (int i = 0; i < 100; ++i) {
    line += static_cast<char>('a' + i % 26);
  }
  line += '\n';
  ASSERT_EQ(client.write_all(line), IoStatus::ok);
  // With an empty prefix the pieces add up to exactly the input.
  EXPECT_EQ(client.read_exact(line.size()), line) << client.last_status();
  // Nothing extra was sent between or after the pieces.
  EXPECT_EQ(client.exchange("next\n"), "next\n");
}

INSTANTIATE_TEST_SUITE_P(Models, EchoLine, kAllModels, model_name);

// Placeholders, on the epoll model, where {pid} is the daemon's own pid.
TEST(EchoLinePrefix, ListenerPeerAndPidAreExpanded) {
  Daemon daemon(make_config({{.name = "lines",
                              .mode = "line",
                              .prefix = "[{listener}|{peer}|{pid}] "}}));
  auto client = Client::connect(daemon.port_of("lines"));
  ASSERT_EQ(client.write_all("hello\n"), IoStatus::ok);
  EXPECT_EQ(client.read_line(), "[lines|" + client.local_address() + "|" +
                                    std::to_string(daemon.pid()) + "] hello\n");
}

TEST(EchoLinePrefix, ThreadIsExpanded) {
  Daemon daemon(
      make_config({{.name = "lines", .mode = "line", .prefix = "<{thread}> "}}));
  auto client = Client::connect(daemon.port_of("lines"));
  ASSERT_EQ(client.write_all("hello\n"), IoStatus::ok);
  const auto line = client.read_line();
  EXPECT_TRUE(std::regex_match(line, std::regex("<[^<>{}\n]+> hello\n")))
      << line;
}

TEST(EchoLinePrefix, PrefixWithoutPlaceholdersIsLiteral) {
  Daemon daemon(
      make_config({{.name = "lines", .mode = "line", .prefix = "{ pid } {} "}}));
  auto client = Client::connect(daemon.port_of("lines"));
  ASSERT_EQ(client.write_all("x\n"), IoStatus::ok);
  EXPECT_EQ(client.read_line(), "{ pid } {} x\n");
}

}  // namespace
}  // namespace netcook::test
