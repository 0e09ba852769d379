// model::TokenBucket over the times the test says: full at first, a token
// an interval, never more than the burst.

#include "model/token_bucket.hpp"

#include <gtest/gtest.h>

namespace netcook::model {
namespace {

using namespace std::chrono_literals;

const Clock::time_point t0 = Clock::time_point() + 1h;

TEST(TokenBucket, StartsFullThenATokenAnInterval) {
  TokenBucket bucket(10, 1s, 3);
  EXPECT_EQ(bucket.next_token(t0), t0);
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_FALSE(bucket.take(t0));
  EXPECT_EQ(bucket.next_token(t0), t0 + 100ms);
  EXPECT_FALSE(bucket.take(t0 + 99ms));
  EXPECT_TRUE(bucket.take(t0 + 100ms));
  EXPECT_FALSE(bucket.take(t0 + 100ms));
  EXPECT_EQ(bucket.next_token(t0 + 150ms), t0 + 200ms);
}

// Tokens saved up never exceed the burst, however long it was unused.
TEST(TokenBucket, HoldsAtMostTheBurst) {
  TokenBucket bucket(10, 1s, 3);
  ASSERT_TRUE(bucket.take(t0));
  const auto later = t0 + 1h;
  EXPECT_EQ(bucket.next_token(later), later);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.take(later)) << i;
  EXPECT_FALSE(bucket.take(later));
}

// A late taker gets what flowed in meanwhile: over a long run the rate
// holds exactly, whatever the times it is asked at.
TEST(TokenBucket, KeepsTheRateOverALongRun) {
  TokenBucket bucket(200, 1s, 10);
  int taken = 0;
  for (auto now = t0; now < t0 + 10s; now += 7ms)
    while (bucket.take(now)) ++taken;
  // 10 at once, then 200 a second for the 9.996 s of the run.
  EXPECT_GE(taken, 10 + 1999 - 1);
  EXPECT_LE(taken, 10 + 1999 + 1);
}

TEST(TokenBucket, BurstOfOneAndSlowRates) {
  TokenBucket bucket(1, 1min, 0);  // a burst of 0 is 1
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_FALSE(bucket.take(t0 + 59s));
  EXPECT_EQ(bucket.next_token(t0 + 59s), t0 + 1min);
  EXPECT_TRUE(bucket.take(t0 + 1min));
}

// A rate too fast to tell apart from none (a benchmark's setting) never
// refuses.
TEST(TokenBucket, ARateFasterThanTheClockNeverRefuses) {
  TokenBucket bucket(4'000'000'000u, 1s, 1);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(bucket.take(t0));
}

// A value: copies go their own ways.
TEST(TokenBucket, IsAPlainValue) {
  TokenBucket one(1, 1s, 1);
  TokenBucket two = one;
  EXPECT_TRUE(one.take(t0));
  EXPECT_TRUE(two.take(t0));
  EXPECT_FALSE(one.take(t0));
}

}  // namespace
}  // namespace netcook::model
