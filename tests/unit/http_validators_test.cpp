// The preconditions' comparisons on their own: If-None-Match (weak) and
// If-Range (strong, or a date equal to Last-Modified), with weak tags on
// either side, lists, and malformed values.

#include "proto/http/date.hpp"
#include "proto/http/validators.hpp"

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace netcook::proto::http {
namespace {

constexpr std::string_view kTag = "\"e-3b9aca00000000000\"";
constexpr std::time_t kMtime = 1000000000;  // Sun, 09 Sep 2001 01:46:40 GMT

TEST(HttpValidators, NoneMatchComparesWeakly) {
  EXPECT_TRUE(none_match_fails(kTag, kTag));
  EXPECT_TRUE(none_match_fails("W/" + std::string(kTag), kTag));
  EXPECT_TRUE(none_match_fails("\"a\", " + std::string(kTag), kTag));
  EXPECT_TRUE(none_match_fails("*", kTag));
  EXPECT_FALSE(none_match_fails("\"a\"", kTag));
  EXPECT_FALSE(none_match_fails("", kTag));
}

struct IfRangeCase {
  std::string header;
  bool holds;
};

TEST(HttpValidators, IfRangeComparesStronglyOrByExactDate) {
  const std::string tag(kTag);
  const std::vector<IfRangeCase> cases = {
      {tag, true},
      {"Sun, 09 Sep 2001 01:46:40 GMT", true},
      {"Sunday, 09-Sep-01 01:46:40 GMT", true},  // RFC 850: an HTTP-date too
      {"Sun Sep  9 01:46:40 2001", true},        // asctime
      {"W/" + tag, false},                       // weak: never a strong match
      {"\"nope\"", false},
      {tag + ", \"nope\"", false},  // one validator, not a list
      {"\"nope\", " + tag, false},
      {tag.substr(0, tag.size() - 1), false},  // cut short
      {tag.substr(1), false},                  // no opening quote
      {"*", false},                            // If-Range has no "*"
      {"", false},
      {format_date(kMtime - 1), false},  // dates match exactly, not "since"
      {format_date(kMtime + 1), false},
      {"Sun, 09 Sep 2001 01:46:40 UTC", false},
      {"not a date", false},
      {"1000000000", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.header);
    EXPECT_EQ(if_range_holds(c.header, tag, kMtime), c.holds);
  }
}

TEST(HttpValidators, IfRangeNeverHoldsForAWeakTagOfOurs) {
  const std::string weak = "W/" + std::string(kTag);
  EXPECT_FALSE(if_range_holds(weak, weak, kMtime));
  EXPECT_FALSE(if_range_holds(kTag, weak, kMtime));
  // A date still does: it is compared with Last-Modified, not the tag.
  EXPECT_TRUE(if_range_holds(format_date(kMtime), weak, kMtime));
}

}  // namespace
}  // namespace netcook::proto::http
