// Durations, sizes and rates as written in netcookd.yaml (config/units.hpp).

#include "config/units.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace netcook::config {
namespace {

using namespace std::chrono_literals;

std::string duration_error(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parse_duration(text, error)) << text;
  return error;
}

std::string size_error(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parse_size(text, error)) << text;
  return error;
}

std::optional<Duration> duration(std::string_view text) {
  std::string error;
  auto value = parse_duration(text, error);
  EXPECT_TRUE(value) << text << ": " << error;
  return value;
}

std::optional<std::size_t> size(std::string_view text) {
  std::string error;
  auto value = parse_size(text, error);
  EXPECT_TRUE(value) << text << ": " << error;
  return value;
}

TEST(ParseDuration, SingleUnits) {
  EXPECT_EQ(duration("500ms"), 500ms);
  EXPECT_EQ(duration("10s"), 10s);
  EXPECT_EQ(duration("5m"), 5min);
  EXPECT_EQ(duration("1h"), 1h);
  EXPECT_EQ(duration("0s"), 0ms);
  EXPECT_EQ(duration("0ms"), 0ms);
}

TEST(ParseDuration, CompoundsLargestFirst) {
  EXPECT_EQ(duration("1m30s"), 90s);
  EXPECT_EQ(duration("1h2m3s4ms"), 1h + 2min + 3s + 4ms);
  EXPECT_EQ(duration("1h 5m"), 65min);
  EXPECT_EQ(duration("1h30s"), 1h + 30s);  // units may be skipped
  EXPECT_EQ(duration(" 10 s "), 10s);
}

TEST(ParseDuration, BareNumberNeedsUnit) {
  EXPECT_EQ(duration_error("30"), "duration needs a unit: ms, s, m, h");
  EXPECT_EQ(duration_error("0"), "duration needs a unit: ms, s, m, h");
  EXPECT_EQ(duration_error("1h5"), "duration needs a unit: ms, s, m, h");
}

TEST(ParseDuration, Malformed) {
  EXPECT_EQ(duration_error(""), "empty duration; write e.g. 500ms, 10s, 5m, 1h");
  EXPECT_EQ(duration_error("  "), "empty duration; write e.g. 500ms, 10s, 5m, 1h");
  EXPECT_EQ(duration_error("5sec"), "unknown duration unit 'sec'; use ms, s, m, h");
  EXPECT_EQ(duration_error("5S"), "unknown duration unit 'S'; use ms, s, m, h");
  EXPECT_EQ(duration_error("1.5s"), "fractions are not allowed; use a smaller unit");
  EXPECT_EQ(duration_error("-1s"), "expected a number at '-1s'");
  EXPECT_EQ(duration_error("s"), "expected a number at 's'");
  EXPECT_EQ(duration_error("1m x"), "expected a number at 'x'");
  EXPECT_EQ(duration_error("5s!"), "expected a number at '!'");
}

TEST(ParseDuration, UnitsOutOfOrderOrRepeated) {
  const std::string expected =
      "units must go from largest to smallest, each once (e.g. 1m30s)";
  EXPECT_EQ(duration_error("30s1m"), expected);
  EXPECT_EQ(duration_error("1s1s"), expected);
  EXPECT_EQ(duration_error("1ms1s"), expected);
}

TEST(ParseDuration, Overflow) {
  EXPECT_EQ(duration("9223372036854775807ms"), Duration::max());
  EXPECT_EQ(duration_error("9223372036854775808ms"), "duration is too large");
  EXPECT_EQ(duration_error("18446744073709551616ms"), "number is too large");
  EXPECT_EQ(duration_error("5124095576030432h"), "duration is too large");
  EXPECT_EQ(duration_error("2562047788015215h30m"), "duration is too large");
}

TEST(ParseSize, BareIntegerIsBytes) {
  EXPECT_EQ(size("512"), 512u);
  EXPECT_EQ(size("0"), 0u);
  EXPECT_EQ(size("512B"), 512u);
}

TEST(ParseSize, BinaryUnits) {
  EXPECT_EQ(size("64KiB"), 64u * 1024);
  EXPECT_EQ(size("1 MiB"), 1024u * 1024);
  EXPECT_EQ(size("2GiB"), std::size_t{2} << 30);
  EXPECT_EQ(size("1TiB"), std::size_t{1} << 40);  // max_body's documented limit
  EXPECT_EQ(size(" 16 B "), 16u);
  EXPECT_EQ(size("10 KiB"), 10u * 1024);  // a space between is documented
}

TEST(ParseSize, DecimalUnitsSuggestBinary) {
  EXPECT_EQ(size_error("64KB"),
            "size unit 'KB' is ambiguous; write KiB (powers of 1024)");
  EXPECT_EQ(size_error("64kB"),
            "size unit 'kB' is ambiguous; write KiB (powers of 1024)");
  EXPECT_EQ(size_error("64K"),
            "size unit 'K' is ambiguous; write KiB (powers of 1024)");
  EXPECT_EQ(size_error("1MB"),
            "size unit 'MB' is ambiguous; write MiB (powers of 1024)");
  EXPECT_EQ(size_error("1G"),
            "size unit 'G' is ambiguous; write GiB (powers of 1024)");
  EXPECT_EQ(size_error("1TB"), "size unit 'TB' is ambiguous; write TiB (powers of 1024)");
}

TEST(ParseSize, Malformed) {
  EXPECT_EQ(size_error(""), "empty size; write e.g. 512B, 64KiB, 1MiB");
  EXPECT_EQ(size_error("abc"), "expected a number at 'abc'");
  EXPECT_EQ(size_error("-1"), "expected a number at '-1'");
  EXPECT_EQ(size_error("1kib"), "size unit 'kib' must be written 'KiB'");
  EXPECT_EQ(size_error("1PiB"), "unknown size unit 'PiB'; use B, KiB, MiB, GiB, TiB");
  EXPECT_EQ(size_error("1.5MiB"), "fractions are not allowed; use a smaller unit");
  EXPECT_EQ(size_error("1 MiB x"), "unexpected 'x' after the size");
  EXPECT_EQ(size_error("1 2"), "unexpected '2' after the size");
}

TEST(ParseSize, Overflow) {
  EXPECT_EQ(size("18446744073709551615"), std::numeric_limits<std::size_t>::max());
  EXPECT_EQ(size_error("18446744073709551616"), "number is too large");
  EXPECT_EQ(size_error("17179869184GiB"), "size is too large");
  EXPECT_EQ(size_error("18014398509481984KiB"), "size is too large");
}

TEST(FormatDuration, ShortestForm) {
  EXPECT_EQ(format_duration(0ms), "0s");
  EXPECT_EQ(format_duration(1ms), "1ms");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(24h), "24h");
  EXPECT_EQ(format_duration(1h + 2min + 3s + 4ms), "1h2m3s4ms");
}

TEST(FormatDuration, RoundTrips) {
  for (const Duration value : {Duration(1), Duration(999), Duration(60'001),
                               Duration(86'400'000), Duration(3'723'004)})
    EXPECT_EQ(duration(format_duration(value)), value);
}

TEST(FormatSize, LargestExactUnit) {
  EXPECT_EQ(format_size(0), "0B");
  EXPECT_EQ(format_size(16), "16B");
  EXPECT_EQ(format_size(1000), "1000B");
  EXPECT_EQ(format_size(4096), "4KiB");
  EXPECT_EQ(format_size(1536), "1536B");
  EXPECT_EQ(format_size(std::size_t{16} << 20), "16MiB");
  EXPECT_EQ(format_size(std::size_t{1} << 30), "1GiB");
  EXPECT_EQ(format_size(std::size_t{3} << 40), "3TiB");
}

std::string rate_error(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parse_rate(text, error)) << text;
  return error;
}

std::optional<Rate> rate(std::string_view text) {
  std::string error;
  auto value = parse_rate(text, error);
  EXPECT_TRUE(value) << text << ": " << error;
  return value;
}

TEST(ParseRate, CountPerPeriod) {
  EXPECT_EQ(rate("20/s"), (Rate{20, 1s}));
  EXPECT_EQ(rate("600/m"), (Rate{600, 1min}));
  EXPECT_EQ(rate("1000/h"), (Rate{1000, 1h}));
  // Syntax only: the caller refuses a zero count with its own advice.
  EXPECT_EQ(rate("0/s"), (Rate{0, 1s}));
}

TEST(ParseRate, NeedsAPeriod) {
  EXPECT_EQ(rate_error("20"), "a rate needs a period: write 20/s, 20/m or 20/h");
  EXPECT_EQ(rate_error("fast"),
            "expected a rate such as 20/s (per second), 600/m (per minute) or 1000/h (per hour)");
  EXPECT_EQ(rate_error(""),
            "expected a rate such as 20/s (per second), 600/m (per minute) or 1000/h (per hour)");
}

TEST(ParseRate, CountMustBeAWholeNumber) {
  EXPECT_EQ(rate_error("ten/s"),
            "the count 'ten' is not a whole number; write a rate such as 20/s (per second), "
            "600/m (per minute) or 1000/h (per hour)");
  for (const char* text : {"/s", "-1/s", "+1/s", "1.5/s", " 1/s", "1 /s"})
    EXPECT_NE(rate_error(text).find("is not a whole number"), std::string::npos) << text;
  EXPECT_EQ(rate_error("99999999999/s"), "the count is too large");
}

TEST(ParseRate, UnknownPeriod) {
  EXPECT_EQ(rate_error("20/sec"),
            "unknown period 'sec'; write a rate such as 20/s (per second), 600/m (per minute) or "
            "1000/h (per hour)");
  EXPECT_NE(rate_error("20/").find("unknown period ''"), std::string::npos);
  EXPECT_NE(rate_error("20/ms").find("unknown period 'ms'"), std::string::npos);
  EXPECT_NE(rate_error("20/S").find("unknown period 'S'"), std::string::npos);
}

TEST(FormatRate, RoundTrips) {
  for (const char* text : {"20/s", "600/m", "1000/h", "1/s"})
    EXPECT_EQ(format_rate(*rate(text)), text);
  EXPECT_EQ(format_rate(Rate{}), "unlimited");
  EXPECT_EQ(format_rate(Rate{5, 90s}), "5/1m30s");
}

}  // namespace
}  // namespace netcook::config
