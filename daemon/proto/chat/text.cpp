#include "proto/chat/text.hpp"

#include <algorithm>

namespace netcook::proto::chat {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_continuation(unsigned char byte) noexcept {
  return (byte & 0xC0) == 0x80;
}

// Length of the well-formed UTF-8 sequence at the start of `s` (Unicode
// Table 3-7), or, when there is none, minus the length of its maximal
// subpart (at least 1).
int sequence_length(std::string_view s) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  int length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;
  }
  for (int i = 1; i < length; ++i) {
    const auto index = static_cast<std::size_t>(i);
    if (index >= s.size()) return -i;
    const unsigned char next = byte(index);
    const bool fits = i == 1 ? next >= low && next <= high : is_continuation(next);
    if (!fits) return -i;
  }
  return length;
}

// The code point of the well-formed sequence `s` of `length` bytes.
char32_t code_point(std::string_view s, std::size_t length) noexcept {
  static constexpr unsigned char kLeadBits[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  char32_t point = static_cast<unsigned char>(s[0]) & kLeadBits[length];
  for (std::size_t i = 1; i < length; ++i)
    point = point << 6 | (static_cast<unsigned char>(s[i]) & 0x3Fu);
  return point;
}

// Characters that would act on the receiver's terminal or hide what a line
// says: C0 but TAB, DEL and C1 (escape sequences), and the invisible ones
// that reorder or disguise text (bidirectional embeddings, overrides and
// isolates, zero-width characters), with which a sender could make a line
// look like another member's or hide a command in it.
bool is_removed(char32_t point) noexcept {
  if (point < 0x20) return point != '\t';
  if (point >= 0x7F && point <= 0x9F) return true;      // DEL, C1
  if (point >= 0x200B && point <= 0x200F) return true;  // ZWSP, ZWNJ, ZWJ, LRM, RLM
  if (point >= 0x202A && point <= 0x202E) return true;  // LRE, RLE, PDF, LRO, RLO
  if (point >= 0x2066 && point <= 0x2069) return true;  // LRI, RLI, FSI, PDI
  return point == 0xFEFF;                               // ZWNBSP (BOM)
}

}  // namespace

std::string sanitize(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  while (!line.empty()) {
    const int length = sequence_length(line);
    if (length < 0) {
      out += kReplacement;
      line.remove_prefix(static_cast<std::size_t>(-length));
      continue;
    }
    const auto take = static_cast<std::size_t>(length);
    if (!is_removed(code_point(line, take))) out.append(line.substr(0, take));
    line.remove_prefix(take);
  }
  return out;
}

bool is_valid_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > kMaxName) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

std::string fold_case(std::string_view name) {
  std::string folded(name);
  for (char& c : folded)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return folded;
}

std::string_view trim(std::string_view text) noexcept {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view utf8_prefix(std::string_view text, std::size_t size) noexcept {
  if (text.size() <= size) return text;
  while (size > 0 && is_continuation(static_cast<unsigned char>(text[size]))) --size;
  return text.substr(0, size);
}

}  // namespace netcook::proto::chat
