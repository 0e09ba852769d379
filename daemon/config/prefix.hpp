#pragma once

// Echo's line prefix may hold placeholders the session fills in per
// connection. A `{word}` that is not one of them is almost certainly a typo,
// so the configuration rejects it instead of echoing it literally. Braces
// that do not enclose a word ("{", "{}", "{ pid }") are plain text.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace netcook::config {

inline constexpr std::array<std::string_view, 4> kPrefixPlaceholders{
    "pid", "thread", "listener", "peer"};

struct Placeholder {
  std::size_t position;   // of the '{'
  std::string_view word;  // between the braces, e.g. "pid"
  std::size_t size() const { return word.size() + 2; }
};

// The next `{word}` (word: one or more of [A-Za-z0-9_]) at or after `from`.
std::optional<Placeholder> next_placeholder(std::string_view text,
                                            std::size_t from = 0);

// Whether every `{word}` in `prefix` is a known placeholder; if not, sets
// `error` to a message naming the first bad one and the valid ones.
bool is_valid_prefix(std::string_view prefix, std::string& error);

}  // namespace netcook::config
