#pragma once

// A cursor over a short value such as "1m 30s" or "64 KiB", shared by the
// duration and size parsers. Spaces between tokens are skipped.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netcook::config {

class Scanner {
 public:
  explicit Scanner(std::string_view text);

  bool done() const { return rest_.empty(); }
  bool at(char c) const { return !rest_.empty() && rest_.front() == c; }
  std::string_view rest() const { return rest_; }

  // Reads a decimal integer; on failure (no digits, overflow) returns
  // nullopt and sets `error`.
  std::optional<std::uint64_t> number(std::string& error);

  // Reads a run of ASCII letters; empty when there is none.
  std::string_view word();

 private:
  void skip_spaces();

  std::string_view rest_;
};

bool equal_ignoring_case(std::string_view a, std::string_view b);

}  // namespace netcook::config
