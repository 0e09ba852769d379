// The raw lines of a configuration file (config/raw_line.hpp), which syntax
// hints read where yaml-cpp stopped.

#include "config/raw_line.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace netcook::config {
namespace {

using testing::ElementsAre;

TEST(RawLine, SplitLikeYamlCppCountsThem) {
  EXPECT_THAT(split_lines(""), ElementsAre(""));
  EXPECT_THAT(split_lines("a\nb"), ElementsAre("a", "b"));
  EXPECT_THAT(split_lines("a\n"), ElementsAre("a", ""));
  EXPECT_THAT(split_lines("a\r\n\r\nb\r\n"), ElementsAre("a", "", "b", ""));
  EXPECT_THAT(split_lines("\xef\xbb\xbf"
                          "a: b\nc"),
              ElementsAre("a: b", "c"));
  EXPECT_THAT(split_lines("\xef\xbb"), ElementsAre("\xef\xbb"));
}

TEST(RawLine, IndentationAndBlankLines) {
  EXPECT_EQ(indentation(""), 0u);
  EXPECT_EQ(indentation("  \t a"), 4u);
  EXPECT_EQ(indentation("   "), 3u);
  EXPECT_TRUE(is_blank_or_comment(""));
  EXPECT_TRUE(is_blank_or_comment(" \t"));
  EXPECT_TRUE(is_blank_or_comment("  # a: b"));
  EXPECT_FALSE(is_blank_or_comment("  a # b"));
}

TEST(RawLine, KeyAndValue) {
  const auto plain = key_line("    listen: 127.0.0.1:7007");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->key, 4u);
  EXPECT_EQ(plain->name, "listen");
  EXPECT_EQ(plain->colon, 10u);
  EXPECT_EQ(plain->value_start, 12u);
  EXPECT_EQ(plain->value, "127.0.0.1:7007");

  const auto entry = key_line("  - - name: a  # why  ");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->key, 6u);
  EXPECT_EQ(entry->name, "name");
  EXPECT_EQ(entry->value, "a");

  EXPECT_EQ(key_line("prefix: You said: ")->value, "You said: ");
  EXPECT_EQ(key_line("a:b: c")->name, "a:b");
  EXPECT_EQ(key_line("-name: a")->name, "-name");
  EXPECT_EQ(key_line("a: \"x # y\" # z")->value, "\"x # y\"");
  EXPECT_EQ(key_line("a: 'x'' # y' # z")->value, "'x'' # y'");
  EXPECT_EQ(key_line("a: \"x # y")->value, "\"x # y");  // unclosed: all of it
  EXPECT_EQ(key_line("a:")->value, "");
  EXPECT_EQ(key_line("a:   # none")->value, "");
  EXPECT_EQ(key_line("key :\tv")->name, "key");
}

TEST(RawLine, NotAKey) {
  EXPECT_FALSE(key_line(""));
  EXPECT_FALSE(key_line("-"));
  EXPECT_FALSE(key_line("- "));
  EXPECT_FALSE(key_line("  - a"));
  EXPECT_FALSE(key_line("a:b"));
  EXPECT_FALSE(key_line("a # b: c"));
  EXPECT_FALSE(key_line("\"a\": b"));
  EXPECT_FALSE(key_line("[a]: b"));
  EXPECT_FALSE(key_line("- : b"));
  EXPECT_FALSE(key_line("# a: b"));
}

TEST(RawLine, InlineScalar) {
  EXPECT_TRUE(is_inline_scalar("a"));
  EXPECT_TRUE(is_inline_scalar("\"a\\\"b\""));
  EXPECT_TRUE(is_inline_scalar("'a''b'"));
  EXPECT_TRUE(is_inline_scalar("-1"));
  EXPECT_FALSE(is_inline_scalar(""));
  EXPECT_FALSE(is_inline_scalar("\"a"));
  EXPECT_FALSE(is_inline_scalar("'a''"));
  EXPECT_FALSE(is_inline_scalar("\"a\\\""));
  for (const char* other : {"[a]", "{a: b}", "|", ">-", "&x a", "*x", "!tag a", "- a"})
    EXPECT_FALSE(is_inline_scalar(other)) << other;
}

}  // namespace
}  // namespace netcook::config
