// The echo session fed every input split at every offset: the output must
// not depend on how the bytes were cut into reads.

#include "proto/echo.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace netcook::proto {
namespace {

SessionContext test_context() {
  SessionContext context;
  context.listener = "echo";
  context.peer = "127.0.0.1:5555";
  context.peer_host = "127.0.0.1";
  context.pid = 4242;
  context.thread = "echo/w0";
  return context;
}

// Feeds `input` in pieces cut at `cuts` (ascending offsets), then EOF, and
// returns everything the session wrote.
std::string run(const EchoSettings& settings, std::string_view input,
                const std::vector<std::size_t>& cuts, bool eof = true) {
  auto session = make_echo_session(settings, test_context());
  Outbox out;
  std::string written;
  std::size_t start = 0;
  auto drain = [&] {
    written.append(out.pending());
    out.consume(out.size());
  };
  for (std::size_t cut : cuts) {
    if (cut > start) session->receive(input.substr(start, cut - start), out);
    drain();
    start = cut;
  }
  if (start < input.size()) session->receive(input.substr(start), out);
  if (eof) session->peer_closed(out);
  drain();
  return written;
}

// Every way of cutting `input` once and twice gives `expected`.
void expect_any_split(const EchoSettings& settings, std::string_view input,
                      std::string_view expected) {
  for (std::size_t i = 0; i <= input.size(); ++i) {
    ASSERT_EQ(run(settings, input, {i}), expected) << "cut at " << i;
    for (std::size_t j = i; j <= input.size(); ++j)
      ASSERT_EQ(run(settings, input, {i, j}), expected) << "cuts at " << i << ", " << j;
  }
}

TEST(EchoRaw, EveryByteValueBackInOrderAtAnySplit) {
  std::string input;
  for (int i = 0; i < 256; ++i) input.push_back(static_cast<char>(i));
  expect_any_split({}, input, input);
}

TEST(EchoRaw, NeverPartialAndNeverCloses) {
  auto session = make_echo_session({}, test_context());
  Outbox out;
  session->receive("no newline", out);
  EXPECT_FALSE(session->partial());
  EXPECT_FALSE(session->closing());
  EXPECT_EQ(out.pending(), "no newline");
}

TEST(EchoLine, PrefixBeforeEveryLineAtAnySplit) {
  const EchoSettings settings{true, "You said: ", 64 * 1024};
  expect_any_split(settings, "hello\nworld\n\nlast", "You said: hello\nYou said: world\nYou said: \nYou said: last");
}

TEST(EchoLine, PartialLineHeldUntilNewline) {
  auto session = make_echo_session({true, "> ", 1024}, test_context());
  Outbox out;
  session->receive("abc", out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(session->partial());
  session->receive("def\n", out);
  EXPECT_EQ(out.pending(), "> abcdef\n");
  EXPECT_FALSE(session->partial());
}

TEST(EchoLine, LongLineGoesOutInPiecesWithOnePrefix) {
  const EchoSettings settings{true, "> ", 16};
  const std::string line(100, 'x');
  const std::string input = line + "\nshort\n";
  expect_any_split(settings, input, "> " + line + "\n> short\n");
}

TEST(EchoLine, NeverHoldsMoreThanMaxLine) {
  auto session = make_echo_session({true, "", 16}, test_context());
  Outbox out;
  session->receive(std::string(15, 'a'), out);
  EXPECT_TRUE(out.empty());
  session->receive("b", out);  // the 16th byte: the held piece goes out
  EXPECT_EQ(out.pending(), std::string(15, 'a') + "b");
  EXPECT_TRUE(session->partial());  // still inside the line
}

TEST(EchoLine, EofFlushesTheUnterminatedLine) {
  EXPECT_EQ(run({true, "# ", 1024}, "tail", {}, true), "# tail");
  EXPECT_EQ(run({true, "# ", 1024}, "tail", {}, false), "");
}

TEST(EchoLine, BinaryBytesAndCrLfPassThrough) {
  std::string input("a\0b\r\n\xff\n", 7);
  expect_any_split({true, "", 1024}, input, input);
}

TEST(EchoPrefix, PlaceholdersExpand) {
  EXPECT_EQ(expand_prefix("{listener}/{pid}/{thread}/{peer}: ", test_context()),
            "echo/4242/echo/w0/127.0.0.1:5555: ");
}

TEST(EchoPrefix, OtherBracesStay) {
  EXPECT_EQ(expand_prefix("{ {pid} } {", test_context()), "{ 4242 } {");
}

TEST(Outbox, ReleasesMemoryWhenDrained) {
  Outbox out;
  out.append(std::string(100000, 'z'));
  out.consume(40000);
  EXPECT_EQ(out.size(), 60000u);
  EXPECT_EQ(out.pending().front(), 'z');
  out.consume(60000);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace netcook::proto
