#include "config/units.hpp"

#include "config/scanner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

namespace netcook::config {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

// Largest first: parse_duration() relies on the order.
constexpr std::array kDurationUnits{
    Unit{"h", 3'600'000}, Unit{"m", 60'000}, Unit{"s", 1'000}, Unit{"ms", 1}};
constexpr std::array kSizeUnits{Unit{"TiB", std::uint64_t{1} << 40},
                                Unit{"GiB", std::uint64_t{1} << 30},
                                Unit{"MiB", std::uint64_t{1} << 20},
                                Unit{"KiB", std::uint64_t{1} << 10},
                                Unit{"B", 1}};

constexpr std::string_view kNeedsUnit = "duration needs a unit: ms, s, m, h";
constexpr std::string_view kNoFractions =
    "fractions are not allowed; use a smaller unit";

bool add_product(std::uint64_t& total, std::uint64_t value,
                 std::uint64_t factor) {
  std::uint64_t product = 0;
  return !__builtin_mul_overflow(value, factor, &product) &&
         !__builtin_add_overflow(total, product, &total);
}

// Why a size unit is wrong: decimal or wrongly cased units get a hint.
std::string size_unit_error(std::string_view unit) {
  for (const auto& known : kSizeUnits)
    if (equal_ignoring_case(unit, known.name))
      return fmt::format("size unit '{}' must be written '{}'", unit,
                         known.name);
  constexpr std::string_view kDecimal[] = {"k", "kb", "m", "mb", "g", "gb", "t", "tb"};
  constexpr std::string_view kBinary[] = {"KiB", "KiB", "MiB", "MiB",
                                          "GiB", "GiB", "TiB", "TiB"};
  for (std::size_t i = 0; i < std::size(kDecimal); ++i)
    if (equal_ignoring_case(unit, kDecimal[i]))
      return fmt::format("size unit '{}' is ambiguous; write {} (powers of 1024)",
                         unit, kBinary[i]);
  return fmt::format("unknown size unit '{}'; use B, KiB, MiB, GiB, TiB", unit);
}

constexpr std::array kRatePeriods{Unit{"s", 1'000}, Unit{"m", 60'000}, Unit{"h", 3'600'000}};
constexpr std::string_view kRateForms =
    "20/s (per second), 600/m (per minute) or 1000/h (per hour)";

bool is_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<Rate> parse_rate(std::string_view text, std::string& error) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    error = is_digits(text)
                ? fmt::format("a rate needs a period: write {0}/s, {0}/m or {0}/h", text)
                : fmt::format("expected a rate such as {}", kRateForms);
    return std::nullopt;
  }
  const auto count_text = text.substr(0, slash);
  const auto period_text = text.substr(slash + 1);
  std::uint32_t count = 0;
  const auto* end = count_text.data() + count_text.size();
  const auto [ptr, ec] = std::from_chars(count_text.data(), end, count);
  if (!is_digits(count_text) || ptr != end) {
    error = fmt::format("the count '{}' is not a whole number; write a rate such as {}", count_text,
                        kRateForms);
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range) {
    error = "the count is too large";
    return std::nullopt;
  }
  const auto* period = std::find_if(kRatePeriods.begin(), kRatePeriods.end(),
                                    [&](const Unit& unit) { return unit.name == period_text; });
  if (period == kRatePeriods.end()) {
    error = fmt::format("unknown period '{}'; write a rate such as {}", period_text, kRateForms);
    return std::nullopt;
  }
  return Rate{count, Duration(static_cast<Duration::rep>(period->factor))};
}

std::string format_rate(Rate rate) {
  if (rate.unlimited()) return "unlimited";
  for (const auto& period : kRatePeriods)
    if (rate.period.count() == static_cast<Duration::rep>(period.factor))
      return fmt::format("{}/{}", rate.count, period.name);
  return fmt::format("{}/{}", rate.count, format_duration(rate.period));
}

std::optional<Duration> parse_duration(std::string_view text,
                                       std::string& error) {
  Scanner scanner(text);
  if (scanner.done()) {
    error = "empty duration; write e.g. 500ms, 10s, 5m, 1h";
    return std::nullopt;
  }
  std::uint64_t total = 0;
  std::size_t next_unit = 0;  // index of the largest unit still allowed
  while (!scanner.done()) {
    auto value = scanner.number(error);
    if (!value) return std::nullopt;
    if (scanner.at('.')) {
      error = kNoFractions;
      return std::nullopt;
    }
    const auto unit = scanner.word();
    if (unit.empty()) {
      error = kNeedsUnit;
      return std::nullopt;
    }
    std::size_t index = 0;
    while (index < kDurationUnits.size() && kDurationUnits[index].name != unit)
      ++index;
    if (index == kDurationUnits.size()) {
      error = fmt::format("unknown duration unit '{}'; use ms, s, m, h", unit);
      return std::nullopt;
    }
    if (index < next_unit) {
      error = "units must go from largest to smallest, each once (e.g. 1m30s)";
      return std::nullopt;
    }
    next_unit = index + 1;
    if (!add_product(total, *value, kDurationUnits[index].factor) ||
        total > static_cast<std::uint64_t>(
                    std::numeric_limits<Duration::rep>::max())) {
      error = "duration is too large";
      return std::nullopt;
    }
  }
  return Duration(static_cast<Duration::rep>(total));
}

std::optional<std::size_t> parse_size(std::string_view text,
                                      std::string& error) {
  Scanner scanner(text);
  if (scanner.done()) {
    error = "empty size; write e.g. 512B, 64KiB, 1MiB";
    return std::nullopt;
  }
  auto value = scanner.number(error);
  if (!value) return std::nullopt;
  if (scanner.at('.')) {
    error = kNoFractions;
    return std::nullopt;
  }
  const auto unit = scanner.word();
  if (!scanner.done()) {
    error = fmt::format("unexpected '{}' after the size", scanner.rest());
    return std::nullopt;
  }
  std::uint64_t factor = 1;
  if (!unit.empty()) {
    const auto* known = std::find_if(
        kSizeUnits.begin(), kSizeUnits.end(),
        [unit](const Unit& candidate) { return candidate.name == unit; });
    if (known == kSizeUnits.end()) {
      error = size_unit_error(unit);
      return std::nullopt;
    }
    factor = known->factor;
  }
  std::uint64_t total = 0;
  if (!add_product(total, *value, factor) ||
      total > std::numeric_limits<std::size_t>::max()) {
    error = "size is too large";
    return std::nullopt;
  }
  return static_cast<std::size_t>(total);
}

std::string format_duration(Duration duration) {
  if (duration.count() == 0) return "0s";
  if (duration.count() < 0) return fmt::format("{}ms", duration.count());
  auto rest = static_cast<std::uint64_t>(duration.count());
  std::string text;
  for (const auto& unit : kDurationUnits) {
    if (rest >= unit.factor) text += fmt::format("{}{}", rest / unit.factor, unit.name);
    rest %= unit.factor;
  }
  return text;
}

std::string format_size(std::size_t size) {
  for (const auto& unit : kSizeUnits)
    if (size != 0 && size % unit.factor == 0)
      return fmt::format("{}{}", size / unit.factor, unit.name);
  return fmt::format("{}B", size);
}

}  // namespace netcook::config
