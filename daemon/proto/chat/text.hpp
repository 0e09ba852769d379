#pragma once

// Text rules of the chat protocol: what a name may be and what may reach
// another member's terminal.

#include <string>
#include <string_view>

namespace netcook::proto::chat {

inline constexpr std::size_t kMaxName = 32;

// Bytes of a /quit reason shown to the others, at most.
inline constexpr std::size_t kMaxReason = 200;

// `line` made safe to show on someone else's terminal: control characters
// other than TAB (C0, DEL, and C1 encoded as UTF-8), bidirectional-text
// controls (U+202A..U+202E, U+2066..U+2069) and zero-width characters
// (U+200B..U+200F, U+FEFF) removed, and every ill-formed UTF-8 sequence
// replaced by U+FFFD (one per maximal subpart, as Unicode recommends), so
// the result is well-formed UTF-8.
std::string sanitize(std::string_view line);

// 1 to kMaxName characters from A-Z a-z 0-9 _ . -
bool is_valid_name(std::string_view name) noexcept;

// The name with A-Z folded to a-z: names are unique ignoring case.
std::string fold_case(std::string_view name);

// `text` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text) noexcept;

// The longest start of the UTF-8 `text` that has at most `size` bytes and
// does not cut a character.
std::string_view utf8_prefix(std::string_view text, std::size_t size) noexcept;

}  // namespace netcook::proto::chat
