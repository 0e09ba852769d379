#include "config/prefix.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace netcook::config {
namespace {

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

// "{pid}, {thread}, {listener}, {peer}".
std::string valid_placeholders() {
  std::string result;
  for (const auto word : kPrefixPlaceholders)
    result += fmt::format("{}{{{}}}", result.empty() ? "" : ", ", word);
  return result;
}

}  // namespace

std::optional<Placeholder> next_placeholder(std::string_view text,
                                            std::size_t from) {
  for (auto open = text.find('{', from); open != std::string_view::npos;
       open = text.find('{', open + 1)) {
    const auto close = text.find('}', open + 1);
    if (close == std::string_view::npos) return std::nullopt;
    const auto word = text.substr(open + 1, close - open - 1);
    if (!word.empty() && std::all_of(word.begin(), word.end(), is_word_char))
      return Placeholder{open, word};
  }
  return std::nullopt;
}

bool is_valid_prefix(std::string_view prefix, std::string& error) {
  for (auto found = next_placeholder(prefix); found;
       found = next_placeholder(prefix, found->position + found->size())) {
    const auto known = std::find(kPrefixPlaceholders.begin(),
                                 kPrefixPlaceholders.end(), found->word);
    if (known == kPrefixPlaceholders.end()) {
      error = fmt::format("unknown placeholder '{{{}}}' in prefix; valid: {}",
                          found->word, valid_placeholders());
      return false;
    }
  }
  return true;
}

}  // namespace netcook::config
