#include "config/scanner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace netcook::config {
namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

Scanner::Scanner(std::string_view text) : rest_(text) { skip_spaces(); }

void Scanner::skip_spaces() {
  while (!rest_.empty() && (rest_.front() == ' ' || rest_.front() == '\t'))
    rest_.remove_prefix(1);
}

std::optional<std::uint64_t> Scanner::number(std::string& error) {
  std::uint64_t value = 0;
  const auto* end = rest_.data() + rest_.size();
  const auto [ptr, ec] = std::from_chars(rest_.data(), end, value);
  if (ec == std::errc::invalid_argument) {
    error = rest_.empty() ? std::string("expected a number")
                          : fmt::format("expected a number at '{}'", rest_);
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range) {
    error = "number is too large";
    return std::nullopt;
  }
  rest_.remove_prefix(static_cast<std::size_t>(ptr - rest_.data()));
  skip_spaces();
  return value;
}

std::string_view Scanner::word() {
  const auto length = static_cast<std::size_t>(
      std::find_if_not(rest_.begin(), rest_.end(), is_letter) - rest_.begin());
  const auto result = rest_.substr(0, length);
  rest_.remove_prefix(length);
  skip_spaces();
  return result;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace netcook::config
