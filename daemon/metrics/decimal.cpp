#include "metrics/decimal.hpp"

#include <fmt/format.h>

namespace netcook::metrics {
namespace {

std::string fraction(std::uint64_t whole, std::uint64_t part, int digits) {
  if (part == 0) return fmt::format("{}", whole);
  std::string text = fmt::format("{}.{:0{}}", whole, part, digits);
  while (text.back() == '0') text.pop_back();
  return text;
}

}  // namespace

std::string seconds_from_usec(std::uint64_t usec) {
  return fraction(usec / 1'000'000, usec % 1'000'000, 6);
}

std::string seconds_from_nsec(std::uint64_t nsec) {
  return fraction(nsec / 1'000'000'000, nsec % 1'000'000'000, 9);
}

std::string decimal(double value) {
  return fmt::format("{}", value);
}

}  // namespace netcook::metrics
