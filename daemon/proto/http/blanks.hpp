#pragma once

// HTTP's optional whitespace (OWS, RFC 9110 section 5.6.3): spaces and tabs,
// around field values and list elements.

#include <string_view>

namespace netcook::proto::http {

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

// `text` without the blanks at either end.
constexpr std::string_view trim_blanks(std::string_view text) noexcept {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace netcook::proto::http
