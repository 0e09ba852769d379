#include "config/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <tuple>

namespace netcook::config {
namespace {

// The length of the well-formed UTF-8 sequence of a printable character at
// the start of `text`, or 0.
std::size_t utf8_sequence(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  const std::size_t length = lead >= 0xf0 && lead <= 0xf4 ? 4
                             : lead >= 0xe0                ? 3
                             : lead >= 0xc2 && lead < 0xe0 ? 2
                                                           : 0;
  if (length == 0 || text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) return 0;
  // U+0080..U+009F are control characters too (U+009B starts a terminal
  // escape sequence).
  if (lead == 0xc2 && static_cast<unsigned char>(text[1]) < 0xa0) return 0;
  return length;
}

// A message as a terminal or the journal may show it: a configuration file
// can hold any byte, and yaml-cpp and our messages quote what they read, so
// control characters and bytes that are not UTF-8 become \xNN.
std::string printable(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  while (!message.empty()) {
    const auto byte = static_cast<unsigned char>(message[0]);
    std::size_t keep = byte >= 0x20 && byte < 0x7f ? 1 : byte >= 0x80 ? utf8_sequence(message) : 0;
    if (keep == 0) {
      out += fmt::format("\\x{:02x}", byte);
      keep = 1;
    } else {
      out.append(message.substr(0, keep));
    }
    message.remove_prefix(keep);
  }
  return out;
}

}  // namespace

std::string Error::to_string() const {
  if (line == 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

Mark to_mark(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

void Diagnostics::error(const YAML::Mark& mark, std::string message) {
  const auto position = to_mark(mark);
  errors_.push_back({file_, position.line, position.column, printable(message)});
}

void Diagnostics::error(std::string message) {
  errors_.push_back({file_, 0, 0, printable(message)});
}

std::vector<Error> Diagnostics::take() {
  // Checks run section by section and cross-listener checks run last;
  // sorting gives the reader the order of the file.
  std::stable_sort(errors_.begin(), errors_.end(),
                   [](const Error& a, const Error& b) {
                     return std::tie(a.line, a.column) <
                            std::tie(b.line, b.column);
                   });
  auto result = std::move(errors_);
  errors_.clear();
  return result;
}

}  // namespace netcook::config
