// Which error body a request's Accept asks for: HTML only when text/html
// weighs more than text/plain, with q-values, the most specific range
// winning, q=0 refusing, ties and a missing Accept meaning plain text, and
// malformed elements ignored.

#include "proto/http/accept.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace netcook::proto::http {
namespace {

bool prefers_html(const std::vector<std::string>& lines) {
  ErrorMediaChoice choice;
  for (const auto& line : lines) choice.add(line);
  return choice.prefers_html();
}

struct AcceptCase {
  std::string accept;
  bool html;
};

TEST(HttpAccept, Table) {
  const std::vector<AcceptCase> cases = {
      // What clients send.
      {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true},  // Firefox
      {"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
       "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
       true},          // Chromium
      {"*/*", false},  // curl
      {"application/json", false},
      {"text/plain", false},
      // Weights.
      {"text/html", true},
      {"text/html;q=0.001", true},  // plain is not acceptable at all
      {"text/html;q=0.5, text/plain;q=0.4", true},
      {"text/html;q=0.5, text/plain;q=0.5", false},  // a tie
      {"text/html;q=0.4, text/plain;q=0.5", false},
      {"text/html, text/plain", false},
      {"text/*", false},
      {"text/*, text/html;q=0.9", false},
      {"text/*;q=0.5, text/html", true},
      {"TEXT/HTML;Q=1.0, text/plain;q=0.999", true},  // case-insensitive
      {"text/html; q=1, text/plain ; q=0.5", true},   // whitespace
      {"text/html;q=1.000, */*;q=0.999", true},
      // q=0: not acceptable, even where a wider range would accept it.
      {"text/html;q=0", false},
      {"text/html;q=0, */*", false},
      {"*/*, text/plain;q=0", true},  // anything but plain text
      {"text/plain;q=0, */*;q=0.5", true},
      {"text/html;q=0, text/plain;q=0", false},  // neither: plain, rather than no answer
      // The most specific range wins, whatever the order.
      {"*/*;q=0.1, text/html", true},
      {"text/html, */*;q=0.1", true},
      {"text/html;charset=utf-8;q=0.9, text/html;q=0.1, text/plain;q=0.5", true},
      {"text/html;charset=\"UTF-8\", text/plain;q=0.5", true},
      // A range with parameters our pages lack applies to none of them.
      {"text/html;level=1, text/plain;q=0.5", false},
      {"text/html;charset=latin1, text/plain;q=0.5", false},
      // Malformed elements are ignored; the rest still count.
      {"text/html;q=2, text/plain;q=0.5", false},
      {"text/html;q=0.5000, text/plain;q=0.1", false},
      {"text/html;q=x", false},
      {"text/html;q=, text/plain;q=0.1", false},
      {"text/html;q, text/plain;q=0.1", false},
      {"*/html", false},
      {"html", false},
      {"/", false},
      {"text/", false},
      {"text/html;;q=0.9, text/plain;q=0.5", true},  // an empty parameter is allowed
      {",,text/html,,", true},
      {"text/plain;q=0.5, text/html;x=\"a,text/html,b\"", false},  // quoted commas split nothing
      {"text/html;q=0.9;x=\"unterminated, text/plain", false},
      {"", false},
      {"\"", false},
      {";;;,,,", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.accept);
    EXPECT_EQ(prefers_html({c.accept}), c.html);
  }
}

TEST(HttpAccept, NoAcceptIsPlainText) {
  EXPECT_FALSE(prefers_html({}));
}

// Field lines make one list (RFC 9110 section 5.3).
TEST(HttpAccept, SeveralLinesAreOneList) {
  EXPECT_TRUE(prefers_html({"text/html", "*/*;q=0.8"}));
  EXPECT_TRUE(prefers_html({"*/*;q=0.8", "text/html"}));
  EXPECT_FALSE(prefers_html({"text/html;q=0.5", "text/plain"}));
  EXPECT_TRUE(prefers_html({"text/html", ""}));  // an empty line adds nothing, takes nothing
  EXPECT_TRUE(prefers_html({"", "text/html"}));
}

}  // namespace
}  // namespace netcook::proto::http
