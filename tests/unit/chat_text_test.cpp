// The chat protocol's text rules: sanitize() removes control characters,
// bidirectional-text controls and zero-width characters, and replaces
// ill-formed UTF-8 with U+FFFD once per maximal subpart (Unicode §3.9,
// "U+FFFD Substitution of Maximal Subparts"); names are 1 to 32
// characters from A-Z a-z 0-9 _ . - and compare ignoring case; trim() drops
// spaces and tabs at both ends only.

#include "proto/chat/text.hpp"

#include <initializer_list>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace netcook::proto::chat {
namespace {

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

// `count` replacement characters.
std::string fffd(int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += kFffd;
  return out;
}

// A string from raw bytes, NUL included.
std::string bytes(std::initializer_list<unsigned char> values) {
  std::string out;
  for (unsigned char value : values) out.push_back(static_cast<char>(value));
  return out;
}

TEST(ChatSanitize, PlainTextAndTabStay) {
  EXPECT_EQ(sanitize(""), "");
  EXPECT_EQ(sanitize("hello, world!"), "hello, world!");
  EXPECT_EQ(sanitize("a\tb\t"), "a\tb\t");
  EXPECT_EQ(sanitize(" ~ "), " ~ ");
}

TEST(ChatSanitize, EveryC0ExceptTabIsRemoved) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string input = "a" + std::string(1, static_cast<char>(c)) + "b";
    const std::string expected = c == '\t' ? "a\tb" : "ab";
    EXPECT_EQ(sanitize(input), expected) << "byte " << c;
  }
}

TEST(ChatSanitize, DelIsRemoved) {
  EXPECT_EQ(sanitize("a\x7F"
                     "b\x7F"),
            "ab");
}

TEST(ChatSanitize, EveryC1IsRemovedButNbspStays) {
  for (int c = 0x80; c <= 0x9F; ++c) {
    const std::string input = bytes({'a', 0xC2, static_cast<unsigned char>(c), 'b'});
    EXPECT_EQ(sanitize(input), "ab") << "U+00" << std::hex << c;
  }
  const std::string nbsp = bytes({'a', 0xC2, 0xA0, 'b'});
  EXPECT_EQ(sanitize(nbsp), nbsp);
  const std::string y_diaeresis = bytes({0xC3, 0xBF});  // U+00FF
  EXPECT_EQ(sanitize(y_diaeresis), y_diaeresis);
}

TEST(ChatSanitize, EscapeSequencesLoseTheirEscape) {
  EXPECT_EQ(sanitize("\x1B[31mred\x1B[0m"), "[31mred[0m");
  EXPECT_EQ(sanitize("\x1B]0;title\x07"
                     "x"),
            "]0;titlex");
  // CSI as the single C1 character U+009B.
  EXPECT_EQ(sanitize(bytes({0xC2, 0x9B, '2', 'J'})), "2J");
}

// UTF-8 of a code point from U+0800 to U+FFFF.
std::string utf8(char32_t point) {
  return bytes({static_cast<unsigned char>(0xE0 | point >> 12),
                static_cast<unsigned char>(0x80 | (point >> 6 & 0x3F)),
                static_cast<unsigned char>(0x80 | (point & 0x3F))});
}

TEST(ChatSanitize, BidiAndZeroWidthCharactersAreRemoved) {
  const char32_t removed[] = {
      0x200B, 0x200C, 0x200D, 0x200E, 0x200F,  // zero-width, LRM, RLM
      0x202A, 0x202B, 0x202C, 0x202D, 0x202E,  // embeddings, PDF, overrides
      0x2066, 0x2067, 0x2068, 0x2069,          // isolates
      0xFEFF,                                  // zero-width no-break space
  };
  for (const char32_t point : removed) {
    EXPECT_EQ(sanitize("a" + utf8(point) + "b"), "ab") << "U+" << std::hex << +point;
    EXPECT_EQ(sanitize(utf8(point)), "") << "U+" << std::hex << +point;
  }
  // Trojan Source: an override that would show "evil" as "live".
  EXPECT_EQ(sanitize(utf8(0x202E) + "evil" + utf8(0x202C)), "evil");
}

TEST(ChatSanitize, NeighboursOfTheRemovedRangesStay) {
  for (const char32_t point : {0x200A, 0x2010, 0x2029, 0x202F, 0x2065, 0x206A, 0xFEFE, 0xFF00}) {
    EXPECT_EQ(sanitize("a" + utf8(point) + "b"), "a" + utf8(point) + "b")
        << "U+" << std::hex << +point;
  }
}

TEST(ChatSanitize, WellFormedUtf8Stays) {
  const std::string samples[] = {
      bytes({0xC3, 0xA9}),              // U+00E9 é
      bytes({0xDF, 0xBF}),              // U+07FF, last 2-byte
      bytes({0xE0, 0xA0, 0x80}),        // U+0800, first 3-byte
      bytes({0xE2, 0x82, 0xAC}),        // U+20AC €
      bytes({0xED, 0x9F, 0xBF}),        // U+D7FF, just below the surrogates
      bytes({0xEE, 0x80, 0x80}),        // U+E000, just above them
      bytes({0xEF, 0xBF, 0xBD}),        // U+FFFD itself
      bytes({0xEF, 0xBF, 0xBF}),        // U+FFFF
      bytes({0xF0, 0x90, 0x80, 0x80}),  // U+10000, first 4-byte
      bytes({0xF0, 0x9F, 0x98, 0x80}),  // U+1F600 😀
      bytes({0xF4, 0x8F, 0xBF, 0xBF}),  // U+10FFFF, the last code point
  };
  for (const std::string& sample : samples) {
    EXPECT_EQ(sanitize(sample), sample);
    EXPECT_EQ(sanitize("x" + sample + "y"), "x" + sample + "y");
  }
}

TEST(ChatSanitize, OverlongsAreOneReplacementPerByte) {
  EXPECT_EQ(sanitize(bytes({0xC0, 0x80})), fffd(2));  // overlong NUL
  EXPECT_EQ(sanitize(bytes({0xC1, 0xBF})), fffd(2));
  EXPECT_EQ(sanitize(bytes({0xE0, 0x80, 0x80})), fffd(3));
  EXPECT_EQ(sanitize(bytes({0xE0, 0x9F, 0xBF})), fffd(3));
  EXPECT_EQ(sanitize(bytes({0xF0, 0x80, 0x80, 0x80})), fffd(4));
  EXPECT_EQ(sanitize(bytes({0xF0, 0x8F, 0xBF, 0xBF})), fffd(4));
  EXPECT_EQ(sanitize("a" + bytes({0xC0, 0xAF}) + "b"), "a" + fffd(2) + "b");
}

TEST(ChatSanitize, SurrogatesAreOneReplacementPerByte) {
  EXPECT_EQ(sanitize(bytes({0xED, 0xA0, 0x80})), fffd(3));  // U+D800
  EXPECT_EQ(sanitize(bytes({0xED, 0xBF, 0xBF})), fffd(3));  // U+DFFF
}

TEST(ChatSanitize, BeyondU10FFFFIsOneReplacementPerByte) {
  EXPECT_EQ(sanitize(bytes({0xF4, 0x90, 0x80, 0x80})), fffd(4));  // U+110000
  EXPECT_EQ(sanitize(bytes({0xF5, 0x80, 0x80, 0x80})), fffd(4));
  EXPECT_EQ(sanitize(bytes({0xF8, 0x88, 0x80, 0x80, 0x80})), fffd(5));
  EXPECT_EQ(sanitize(bytes({0xFE, 0xFF})), fffd(2));
}

TEST(ChatSanitize, TruncatedSequenceIsOneReplacement) {
  // The maximal subpart is the truncated sequence as a whole.
  EXPECT_EQ(sanitize(bytes({0xC3})), fffd(1));
  EXPECT_EQ(sanitize(bytes({0xE2, 0x82})), fffd(1));
  EXPECT_EQ(sanitize(bytes({0xF0, 0x9F, 0x98})), fffd(1));
  EXPECT_EQ(sanitize(bytes({0xE2, 0x82, 'A'})), fffd(1) + "A");
  EXPECT_EQ(sanitize(bytes({0xF0, 0x9F, 'A', 0x98})), fffd(1) + "A" + fffd(1));
  EXPECT_EQ(sanitize(bytes({0xC3, 0xC3, 0xA9})), fffd(1) + bytes({0xC3, 0xA9}));
  // A truncated sequence followed by another lead byte.
  EXPECT_EQ(sanitize(bytes({0xE2, 0x82, 0xE2, 0x82, 0xAC})), fffd(1) + bytes({0xE2, 0x82, 0xAC}));
  // A truncated sequence does not swallow the control character after it.
  EXPECT_EQ(sanitize(bytes({0xE2, 0x1B, 'x'})), fffd(1) + "x");
}

TEST(ChatSanitize, StrayContinuationBytesAreOneReplacementEach) {
  EXPECT_EQ(sanitize(bytes({0x80})), fffd(1));
  EXPECT_EQ(sanitize(bytes({0xBF, 0x80, 0xA0})), fffd(3));
  EXPECT_EQ(sanitize(bytes({'a', 0x80, 'b'})), "a" + fffd(1) + "b");
  // A complete sequence followed by one continuation too many.
  EXPECT_EQ(sanitize(bytes({0xC3, 0xA9, 0xA9})), bytes({0xC3, 0xA9}) + fffd(1));
}

TEST(ChatSanitize, UnicodeTable3_8Example) {
  // The example of Unicode §3.9 Table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80
  // BF 64 becomes a FFFD FFFD FFFD b FFFD c FFFD FFFD d.
  const std::string input =
      bytes({0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64});
  EXPECT_EQ(sanitize(input), "a" + fffd(3) + "b" + fffd(1) + "c" + fffd(2) + "d");
}

TEST(ChatSanitize, ResultIsStableWhenSanitizedAgain) {
  const std::string input = bytes({'a', 0x1B, 0xC0, 0x80, 0xC2, 0x85, 0xE2, 0x82, 0xAC, 0xED, 0xA0,
                                   0x80, 0xF4, 0x90, 0x80, 0x80, 0x7F, '\t'});
  const std::string once = sanitize(input);
  EXPECT_EQ(once, "a" + fffd(2) + bytes({0xE2, 0x82, 0xAC}) + fffd(3) + fffd(4) + "\t");
  EXPECT_EQ(sanitize(once), once);
}

TEST(ChatName, Lengths) {
  EXPECT_FALSE(is_valid_name(""));
  EXPECT_TRUE(is_valid_name("a"));
  EXPECT_TRUE(is_valid_name(std::string(32, 'x')));
  EXPECT_FALSE(is_valid_name(std::string(33, 'x')));
  EXPECT_EQ(kMaxName, 32u);
}

TEST(ChatName, EveryAllowedClass) {
  EXPECT_TRUE(is_valid_name("ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
  EXPECT_TRUE(is_valid_name("abcdefghijklmnopqrstuvwxyz"));
  EXPECT_TRUE(is_valid_name("0123456789"));
  EXPECT_TRUE(is_valid_name("_"));
  EXPECT_TRUE(is_valid_name("."));
  EXPECT_TRUE(is_valid_name("-"));
  EXPECT_TRUE(is_valid_name("Al_ice.B-0b"));
}

TEST(ChatName, EveryOtherByteIsRefused) {
  const std::string_view allowed =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
  for (int c = 0; c < 256; ++c) {
    const char byte = static_cast<char>(c);
    const std::string name = std::string("ab") + byte + "c";
    EXPECT_EQ(is_valid_name(name), allowed.find(byte) != std::string_view::npos) << "byte " << c;
  }
}

TEST(ChatName, CommonMistakesAreRefused) {
  EXPECT_FALSE(is_valid_name("al ice"));
  EXPECT_FALSE(is_valid_name(" alice"));
  EXPECT_FALSE(is_valid_name("alice\t"));
  EXPECT_FALSE(is_valid_name("NAME: alice"));
  EXPECT_FALSE(is_valid_name("alice@host"));
  EXPECT_FALSE(is_valid_name("/nick"));
  EXPECT_FALSE(is_valid_name(bytes({'j', 0xC3, 0xA9})));  // non-ASCII letters too
  EXPECT_FALSE(is_valid_name(std::string("a\0b", 3)));
}

TEST(ChatFoldCase, OnlyAsciiLettersFold) {
  EXPECT_EQ(fold_case(""), "");
  EXPECT_EQ(fold_case("AbC-XyZ_09."), "abc-xyz_09.");
  EXPECT_EQ(fold_case("already"), "already");
  EXPECT_EQ(fold_case("@[`{"), "@[`{");             // the neighbours of A-Z and a-z
  const std::string e_acute = bytes({0xC3, 0x89});  // É stays as it is
  EXPECT_EQ(fold_case(e_acute), e_acute);
  EXPECT_EQ(fold_case("ALICE"), fold_case("alice"));
}

TEST(ChatTrim, SpacesAndTabsAtBothEnds) {
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t \t"), "");
  EXPECT_EQ(trim("  a b  "), "a b");
  EXPECT_EQ(trim("\ta\t"), "a");
  EXPECT_EQ(trim("a"), "a");
  EXPECT_EQ(trim("a \t b"), "a \t b");
  // Only space and tab count as blank.
  EXPECT_EQ(trim("\na\r"), "\na\r");
}

TEST(ChatUtf8Prefix, ShortTextIsWhole) {
  EXPECT_EQ(utf8_prefix("", 0), "");
  EXPECT_EQ(utf8_prefix("", 5), "");
  EXPECT_EQ(utf8_prefix("abc", 3), "abc");
  EXPECT_EQ(utf8_prefix("abc", 200), "abc");
}

TEST(ChatUtf8Prefix, CutsBeforeACharacterThatDoesNotFit) {
  const std::string e_acute = bytes({0xC3, 0xA9});
  const std::string euro = bytes({0xE2, 0x82, 0xAC});
  const std::string smile = bytes({0xF0, 0x9F, 0x98, 0x80});
  EXPECT_EQ(utf8_prefix("abcd", 2), "ab");
  for (const std::string& character : {e_acute, euro, smile}) {
    const std::string text = "ab" + character + "z";
    // Every size that ends inside the character keeps only "ab".
    for (std::size_t size = 2; size < 2 + character.size(); ++size)
      EXPECT_EQ(utf8_prefix(text, size), "ab") << "size " << size;
    EXPECT_EQ(utf8_prefix(text, 2 + character.size()), "ab" + character);
  }
  EXPECT_EQ(utf8_prefix(smile, 3), "");
  EXPECT_EQ(utf8_prefix(smile + smile, 7), smile);
}

TEST(ChatUtf8Prefix, ReturnsAViewIntoItsArgument) {
  const std::string text = "words and more";
  EXPECT_EQ(utf8_prefix(text, 5).data(), text.data());
}

TEST(ChatTrim, ReturnsAViewIntoItsArgument) {
  const std::string text = "  word  ";
  const std::string_view trimmed = trim(text);
  EXPECT_EQ(trimmed.data(), text.data() + 2);
  EXPECT_EQ(trimmed.size(), 4u);
}

}  // namespace
}  // namespace netcook::proto::chat
