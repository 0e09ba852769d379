// TelnetFilter: every Telnet command of RFC 854 and 855 is removed and
// nothing else, whatever the reads it arrives in (every input is also fed
// split at every offset, and one byte at a time); IAC IAC is a 0xFF byte; a
// subnegotiation that never ends is given up after kMaxSubnegotiation bytes.

#include "proto/chat/telnet.hpp"

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace netcook::proto::chat {
namespace {

constexpr unsigned char kIac = 255;
constexpr unsigned char kDont = 254;
constexpr unsigned char kDo = 253;
constexpr unsigned char kWont = 252;
constexpr unsigned char kWill = 251;
constexpr unsigned char kSb = 250;
constexpr unsigned char kIp = 244;
constexpr unsigned char kSe = 240;
constexpr unsigned char kEcho = 1;
constexpr unsigned char kNaws = 31;

// A string from raw bytes, NUL and 0xFF included.
std::string bytes(std::initializer_list<unsigned char> values) {
  std::string out;
  for (unsigned char value : values) out.push_back(static_cast<char>(value));
  return out;
}

// What one filter lets through of `input` cut into reads at `cuts`
// (ascending offsets).
std::string filtered(std::string_view input, const std::vector<std::size_t>& cuts = {}) {
  TelnetFilter filter;
  std::string out;
  std::string scratch;
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    out.append(filter.filter(input.substr(from, cut - from), scratch));
    from = cut;
  }
  out.append(filter.filter(input.substr(from), scratch));
  return out;
}

// `input` must come out as `expected` read whole, cut once at every offset,
// cut twice at every pair of offsets, and one byte at a time.
void expect_filtered(const std::string& input, const std::string& expected) {
  EXPECT_EQ(filtered(input), expected);
  std::vector<std::size_t> every;
  for (std::size_t i = 0; i <= input.size(); ++i) {
    every.push_back(i);
    ASSERT_EQ(filtered(input, {i}), expected) << "cut at " << i;
    for (std::size_t j = i; j <= input.size(); ++j)
      ASSERT_EQ(filtered(input, {i, j}), expected) << "cuts at " << i << ", " << j;
  }
  EXPECT_EQ(filtered(input, every), expected) << "one byte at a time";
}

TEST(ChatTelnet, PlainTextComesBackAsItWas) {
  TelnetFilter filter;
  std::string scratch;
  const std::string_view text = "hello\r\nwith \xC3\xA9 and \x1B[0m\n";
  const std::string_view out = filter.filter(text, scratch);
  EXPECT_EQ(out, text);
  EXPECT_EQ(out.data(), text.data());  // not copied
  EXPECT_FALSE(filter.inside_command());
  expect_filtered(std::string(text), std::string(text));
}

TEST(ChatTelnet, EveryTwoByteCommandIsRemoved) {
  // SE (240) alone, NOP, DM, BRK, IP, AO, AYT, EC, EL, GA (241 to 249).
  for (int command = 240; command <= 249; ++command) {
    const auto byte = static_cast<unsigned char>(command);
    expect_filtered("ab" + bytes({kIac, byte}) + "cd\n", "abcd\n");
    expect_filtered(bytes({kIac, byte, kIac, byte}) + "/who\n", "/who\n");
  }
}

TEST(ChatTelnet, InterruptProcessDoesNotSwallowTheNextCommand) {
  // telnet(1)'s Ctrl-C: IAC IP (and IAC DO TIMING-MARK), then a line.
  expect_filtered(bytes({kIac, kIp, kIac, kDo, 6}) + "/quit\r\n", "/quit\r\n");
  expect_filtered("half" + bytes({kIac, kIp}) + "\r\n/who\r\n", "half\r\n/who\r\n");
}

// Every option asked for is refused, once per request; a refusal is never
// answered (RFC 854: no loop).
TEST(ChatTelnet, OptionRequestsAreRefused) {
  TelnetFilter filter;
  std::string scratch;
  EXPECT_FALSE(filter.has_replies());
  EXPECT_EQ(filter.filter(bytes({kIac, kDo, kEcho, 'a', kIac, kWill}), scratch), "a");
  EXPECT_EQ(filter.take_replies(), bytes({kIac, kWont, kEcho}));
  EXPECT_EQ(filter.filter(bytes({kNaws, kIac, kWont, kEcho, kIac, kDont, kNaws}), scratch), "");
  EXPECT_EQ(filter.take_replies(), bytes({kIac, kDont, kNaws}));
  EXPECT_FALSE(filter.has_replies());
  // Inside a subnegotiation, DO is data.
  EXPECT_EQ(filter.filter(bytes({kIac, kSb, kDo, kEcho, kIac, kSe}), scratch), "");
  EXPECT_FALSE(filter.has_replies());
}

TEST(ChatTelnet, OptionNegotiationIsRemovedWithItsOption) {
  for (const unsigned char verb : {kWill, kWont, kDo, kDont}) {
    expect_filtered("a" + bytes({kIac, verb, kEcho}) + "b\n", "ab\n");
    // The option byte is taken whatever it is, IAC and LF included.
    expect_filtered("a" + bytes({kIac, verb, kIac}) + "b\n", "ab\n");
    expect_filtered("a" + bytes({kIac, verb, '\n'}) + "b\n", "ab\n");
  }
}

TEST(ChatTelnet, DoubledIacIsOneDataByte) {
  expect_filtered(bytes({'a', kIac, kIac, 'b'}), bytes({'a', kIac, 'b'}));
  expect_filtered(bytes({kIac, kIac, kIac, kIac}), bytes({kIac, kIac}));
  // The 0xFF so made starts no command.
  expect_filtered(bytes({kIac, kIac, kIp, 'x'}), bytes({kIac, kIp, 'x'}));
}

TEST(ChatTelnet, SubnegotiationIsRemovedWhole) {
  // NAWS 80x24, the usual first thing a telnet client says.
  const std::string naws = bytes({kIac, kSb, kNaws, 0, 80, 0, 24, kIac, kSe});
  expect_filtered("x" + naws + "y\n", "xy\n");
  // IAC IAC inside is its data, not its end; so are LF and SE alone.
  expect_filtered(bytes({kIac, kSb, kNaws, 0, kIac, kIac, 0, '\n', kSe, 24, kIac, kSe}) + "ok\n",
                  "ok\n");
  expect_filtered(bytes({kIac, kSb, kIac, kSe, kIac, kSb, kIac, kSe}) + "ok", "ok");
}

TEST(ChatTelnet, CommandInsideASubnegotiationEndsIt) {
  // A broken subnegotiation: the IAC IP in it ends it, as a command.
  expect_filtered(bytes({kIac, kSb, kNaws, 1, 2, kIac, kIp}) + "/who\n", "/who\n");
  expect_filtered(bytes({kIac, kSb, kNaws, kIac, kWill, kEcho}) + "hi\n", "hi\n");
}

TEST(ChatTelnet, InsideCommandUntilItEnds) {
  TelnetFilter filter;
  std::string scratch;
  const std::string input = bytes({'a', kIac, kSb, kNaws, kIac, kIac, kIac, kSe, kIac, kDo, kEcho});
  const std::vector<bool> inside{false, true,  true, true, true, true,
                                 true,  false, true, true, false};
  ASSERT_EQ(input.size(), inside.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    filter.filter(input.substr(i, 1), scratch);
    EXPECT_EQ(filter.inside_command(), inside[i]) << "after byte " << i;
  }
}

TEST(ChatTelnet, EndlessSubnegotiationIsGivenUp) {
  std::string input = bytes({kIac, kSb, kNaws});
  input.append(kMaxSubnegotiation - 1, 'z');  // kMaxSubnegotiation bytes after IAC SB
  EXPECT_EQ(filtered(input + "after\n"), "after\n");
  // One byte fewer is still inside the subnegotiation.
  EXPECT_EQ(filtered(input.substr(0, input.size() - 1) + "after\n"), "fter\n");

  // However long it goes on, the filter keeps nothing: what follows the
  // limit comes out, piece by piece as it arrives.
  TelnetFilter filter;
  std::string scratch;
  filter.filter(bytes({kIac, kSb}), scratch);
  const std::string chunk(4096, 'q');
  std::size_t out = 0;
  for (int i = 0; i < 1024; ++i) out += filter.filter(chunk, scratch).size();
  EXPECT_EQ(out, 1024 * chunk.size() - kMaxSubnegotiation);
  EXPECT_LE(scratch.capacity(), 2 * chunk.size());
  EXPECT_FALSE(filter.inside_command());
}

TEST(ChatTelnet, EveryByteAfterIacAtEveryOffset) {
  // IAC then each possible byte, in text: removed with what it takes.
  for (int value = 0; value < 256; ++value) {
    const auto byte = static_cast<unsigned char>(value);
    const std::string input = "a" + bytes({kIac, byte}) + "bc\n";
    std::string expected;
    if (byte == kIac)
      expected = bytes({'a', kIac}) + "bc\n";
    else if (byte >= kWill)
      expected = "ac\n";  // 'b' was the option
    else if (byte == kSb)
      expected = "a";  // all inside the subnegotiation
    else
      expected = "abc\n";
    expect_filtered(input, expected);
  }
}

}  // namespace
}  // namespace netcook::proto::chat
