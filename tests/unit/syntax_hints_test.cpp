// Hints for YAML syntax errors (config/syntax_hints.hpp), fed the real error
// yaml-cpp raises for each text: each usual mistake gets its hint, quoting the
// user's text, and anything else gets none. The exact messages with their
// file, line and column are in config_test.cpp.

#include "config/syntax_hints.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

namespace netcook::config {
namespace {

// The hint for the syntax error yaml-cpp finds in `text`.
std::optional<std::string> hint(const std::string& text) {
  try {
    YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return syntax_hint(text, e.msg, e.mark);
  }
  ADD_FAILURE() << "no syntax error in:\n" << text;
  return std::nullopt;
}

// ---- a tab in the indentation -------------------------------------------

TEST(SyntaxHint, TabIndentation) {
  const std::string kTab = "indent with spaces; YAML does not allow tabs";
  EXPECT_EQ(hint("listeners:\n  - name: a\n\tprotocol: echo\n"), kTab);
  EXPECT_EQ(hint("listeners:\n  - name: a\n  \tprotocol: echo\n"), kTab);
  EXPECT_EQ(hint("listeners:\n\t- name: a\n"), kTab);  // illegal block entry
  EXPECT_EQ(hint("a:\n\tb: c\n"), kTab);               // illegal map value
  EXPECT_EQ(hint("\ta: b\n"), kTab);
  EXPECT_EQ(hint("a:\n  b: c\n\t\n"), kTab);  // a blank line
}

// ---- an unquoted IPv6 address -------------------------------------------

TEST(SyntaxHint, UnquotedIpv6Address) {
  const std::string kLoopback = R"(quote the address: "[::1]:7007")";
  EXPECT_EQ(hint("listeners:\n  - name: a\n    listen: [::1]:7007\n"), kLoopback);
  EXPECT_EQ(hint("listeners:\n  - name: a\n    listen: [::1]:7007\n    workers: 2\n"), kLoopback);
  EXPECT_EQ(hint("listeners:\n  - listen: [::1]:7007 # loopback\n"), kLoopback);
  EXPECT_EQ(hint("listeners:\n  - {name: a, listen: [::1]:7007}\n"), kLoopback);
  EXPECT_EQ(hint("listen:\n  - [::1]:7007\n"), kLoopback);  // end of sequence
  EXPECT_EQ(hint("listen: [::]:80\n"), R"(quote the address: "[::]:80")");
  EXPECT_EQ(hint("listen: [fe80::1%eth0]:7007\n"), R"(quote the address: "[fe80::1%eth0]:7007")");
}

TEST(SyntaxHint, NotAnAddress) {
  EXPECT_EQ(hint("a:\n  b: [1, 2]:7007\n"), std::nullopt);  // no ':' inside
  EXPECT_EQ(hint("a:\n  b: [::1] :7007\n"), std::nullopt);  // not one word
  EXPECT_EQ(hint("a:\n  b: [::1]:http\n"), std::nullopt);   // no port number
}

// ---- a value containing ': ' ----------------------------------------------

TEST(SyntaxHint, ColonInValue) {
  EXPECT_EQ(hint("echo:\n  mode: line\n  prefix: You said: \n"),
            R"(quote a value that contains ': ', as in prefix: "You said: ")");
  EXPECT_EQ(hint("echo:\n  prefix: You said: \n  mode: line\n"),
            R"(quote a value that contains ': ', as in prefix: "You said: ")");
  EXPECT_EQ(hint("echo:\n  prefix: You said:\n"),
            R"(quote a value that ends with ':', as in prefix: "You said:")");
  EXPECT_EQ(hint("prefix: a: b # a comment\n"),
            R"(quote a value that contains ': ', as in prefix: "a: b")");
  EXPECT_EQ(hint("- prefix: a:b: c\n"),
            R"(quote a value that contains ': ', as in prefix: "a:b: c")");
  EXPECT_EQ(hint("prefix:\tYou said: \n"),
            R"(quote a value that contains ': ', as in prefix: "You said: ")");
  // The suggestion is itself valid YAML.
  EXPECT_EQ(hint(R"(prefix: a"b\c: d)"),
            R"(quote a value that contains ': ', as in prefix: "a\"b\\c: d")");
  // Too long to repeat.
  EXPECT_EQ(hint("prefix: " + std::string(70, 'x') + ": y\n"), "quote a value that contains ': '");
}

TEST(SyntaxHint, ColonInAQuotedOrFlowValueIsNotThatMistake) {
  EXPECT_EQ(hint("prefix: \"a\": b\n"), std::nullopt);
  EXPECT_EQ(hint("a: [x,\n  b: c, d: e: f]\n"), std::nullopt);
  EXPECT_EQ(hint("a: {x: 1,\n  b: c: d}\n"), std::nullopt);
}

// ---- "-name:" without a space ---------------------------------------------

TEST(SyntaxHint, DashWithoutSpace) {
  const std::string kDash = R"(put a space after '-': "- name: a")";
  EXPECT_EQ(hint("listeners:\n  -name: a\n    protocol: echo\n"), kDash);
  // A blank line or a comment between changes yaml-cpp's message and where it
  // stops (the key's start, not its ':').
  EXPECT_EQ(hint("listeners:\n  -name: a\n\n    protocol: echo\n"), kDash);
  EXPECT_EQ(hint("listeners:\n  -name: a\n  # first\n    protocol: echo\n"), kDash);
  EXPECT_EQ(hint("listeners:\n  -name: a   # first\n    protocol: echo\n"), kDash);
  EXPECT_EQ(hint("\xef\xbb\xbflisteners:\n  -name: a\n    protocol: echo\n"), kDash);
  EXPECT_EQ(hint("listeners:\r\n  -name: a\r\n    protocol: echo\r\n"), kDash);
}

TEST(SyntaxHint, DashKeyWhereTheSpaceWouldNotExplainIt) {
  // 'protocol' is not where 'name' would be after "- ": only the indentation
  // is known to be wrong.
  EXPECT_EQ(hint("listeners:\n  -name: a\n      protocol: echo\n"),
            "'protocol' is indented under '-name', which already has a value; indent it like "
            "the key it belongs with");
}

// ---- a key indented under a key with a value --------------------------------

TEST(SyntaxHint, KeyUnderAKeyWithAValue) {
  const std::string kUnderListen =
      "'max_line' is indented under 'listen', which already has a value; indent it like the key "
      "it belongs with";
  const std::string kListener =
      "listeners:\n  - name: a\n    protocol: echo\n    model: epoll\n    listen: 127.0.0.1:7007\n";
  EXPECT_EQ(hint(kListener + "      max_line: 5\n"), kUnderListen);
  EXPECT_EQ(hint(kListener + "\n      max_line: 5\n"), kUnderListen);
  EXPECT_EQ(hint(kListener + "    # why\n      max_line: 5\n"), kUnderListen);
  EXPECT_EQ(hint(kListener + "      max_line:\n"), kUnderListen);
  EXPECT_EQ(hint("listeners:\n  - name: a\n      protocol: echo\n"),
            "'protocol' is indented under 'name', which already has a value; indent it like the "
            "key it belongs with");
  EXPECT_EQ(hint("a:\n  listen: \"x # y\"\n    max: 5\n"),
            "'max' is indented under 'listen', which already has a value; indent it like the key "
            "it belongs with");
  EXPECT_EQ(hint("a:\n  listen: 'x''s' # c\n    max: 5\n"),
            "'max' is indented under 'listen', which already has a value; indent it like the key "
            "it belongs with");
}

TEST(SyntaxHint, IndentationThatIsNotThatMistake) {
  // Less indented than the key before it.
  EXPECT_EQ(hint("listeners:\n  - name: a\n   model: x\n"), std::nullopt);
  // A sequence, not a key, under a key with a value.
  EXPECT_EQ(hint("a: b\n  - c: d\n"), std::nullopt);
  // The value before is an anchor: the line alone does not tell what it is.
  EXPECT_EQ(hint("a: &x b\n  c: d\n"), std::nullopt);
  // The line before is not a key.
  EXPECT_EQ(hint("a:\n  [c]: d\n    e: f\n"), std::nullopt);
  EXPECT_EQ(hint("a: b\n  [c]: d\n"), std::nullopt);
}

// ---- no hint, and no crash ------------------------------------------------

TEST(SyntaxHint, OtherErrorsGetNone) {
  EXPECT_EQ(hint("listeners: [1\n"), std::nullopt);
  EXPECT_EQ(hint("a: {b\n"), std::nullopt);
  EXPECT_EQ(hint("a:\n  - b\n  c: d\n"), std::nullopt);
  EXPECT_EQ(hint("a: b\n- c\n"), std::nullopt);
  EXPECT_EQ(hint("a: b: c\rd: e\n"), std::nullopt);  // a lone CR: lines unclear
}

TEST(SyntaxHint, ARecognisedTextWithAnotherMessageGetsNone) {
  EXPECT_EQ(syntax_hint("a:\n\tb: c\n", "unknown token", YAML::Mark()), std::nullopt);
  YAML::Mark colon;
  colon.line = 0;
  colon.column = 9;
  EXPECT_EQ(syntax_hint("prefix: a: b\n", "illegal map value", colon),
            R"(quote a value that contains ': ', as in prefix: "a: b")");
  EXPECT_EQ(syntax_hint("prefix: a: b\n", "end of map not found", colon), std::nullopt);
  EXPECT_EQ(syntax_hint(std::string("prefix: a: b\0", 13), "illegal map value", colon),
            std::nullopt);
}

// Every mark, including null, negative and past-the-end ones, on texts that
// hold each mistake, with every message: a hint or none, never a crash.
TEST(SyntaxHint, AnyMarkIsSafe) {
  const std::vector<std::string> texts = {
      "",
      "\n",
      "\xef\xbb\xbf",
      "\t",
      "a:\n\tb: c\n",
      "listen: [::1]:7007",
      "listen: [::1]:",
      "x: ]:1\n[: ]:",
      "prefix: You said: ",
      "prefix: \"",
      "prefix: '",
      " -a: b\n   c: d",
      "-: b\n  c: d",
      "a: b\n  c:",
      ":",
      "- ",
      "-",
  };
  const std::vector<std::string> messages = {"illegal tab when looking for indentation",
                                             "illegal block entry",
                                             "illegal map value",
                                             "end of map not found",
                                             "end of map flow not found",
                                             "end of sequence not found",
                                             ""};
  EXPECT_EQ(syntax_hint("a:\n\tb: c\n", "illegal map value", YAML::Mark::null_mark()),
            std::nullopt);
  for (const auto& text : texts)
    for (const auto& message : messages)
      for (int line = -1; line <= 4; ++line)
        for (int column = -1; column <= static_cast<int>(text.size()) + 1; ++column) {
          YAML::Mark mark;
          mark.line = line;
          mark.column = column;
          const auto result = syntax_hint(text, message, mark);
          EXPECT_TRUE(!result || !result->empty());
        }
}

}  // namespace
}  // namespace netcook::config
