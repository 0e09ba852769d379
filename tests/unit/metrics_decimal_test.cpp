// Seconds from the counters' micro- and nanoseconds, as exact decimals.

#include "metrics/decimal.hpp"

#include <gtest/gtest.h>

namespace netcook::metrics {
namespace {

TEST(Decimal, SecondsFromMicroseconds) {
  EXPECT_EQ(seconds_from_usec(0), "0");
  EXPECT_EQ(seconds_from_usec(100), "0.0001");
  EXPECT_EQ(seconds_from_usec(250), "0.00025");
  EXPECT_EQ(seconds_from_usec(1'000'000), "1");
  EXPECT_EQ(seconds_from_usec(1'500'000), "1.5");
  EXPECT_EQ(seconds_from_usec(86'400'000'000), "86400");
  EXPECT_EQ(seconds_from_usec(1), "0.000001");
}

TEST(Decimal, SecondsFromNanoseconds) {
  EXPECT_EQ(seconds_from_nsec(0), "0");
  EXPECT_EQ(seconds_from_nsec(12'000'000), "0.012");
  EXPECT_EQ(seconds_from_nsec(3'000'000'001), "3.000000001");
}

TEST(Decimal, DoublesInShortestForm) {
  EXPECT_EQ(decimal(1796601600.25), "1796601600.25");
  EXPECT_EQ(decimal(0), "0");
  EXPECT_EQ(decimal(1.5), "1.5");
}

}  // namespace
}  // namespace netcook::metrics
