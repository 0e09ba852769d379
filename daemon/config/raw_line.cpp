#include "config/raw_line.hpp"

namespace netcook::config {
namespace {

constexpr std::string_view kByteOrderMark = "\xef\xbb\xbf";
// Characters that cannot start a plain scalar; '-', '?' and ':' can, when
// a non-blank character follows.
constexpr std::string_view kIndicators = ",[]{}#&*!|>'\"%@`";

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

bool blank_or_end(std::string_view line, std::size_t at) {
  return at >= line.size() || is_blank(line[at]);
}

std::size_t skip_blanks(std::string_view line, std::size_t at) {
  while (at < line.size() && is_blank(line[at])) ++at;
  return at;
}

bool starts_plain(std::string_view text) {
  if (text.empty() || kIndicators.find(text[0]) != std::string_view::npos) return false;
  if (text[0] == '-' || text[0] == '?' || text[0] == ':') return !blank_or_end(text, 1);
  return true;
}

// The index of the quote that closes the quoted scalar starting at text[0],
// or npos. '' is a quote inside '...', and \" inside "...".
std::size_t closing_quote(std::string_view text) {
  const char quote = text[0];
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'')
        ++i;
      else
        return i;
    }
  }
  return std::string_view::npos;
}

// Where a comment starts at or after `from` ('#' after a blank), or the
// line's size.
std::size_t comment_start(std::string_view line, std::size_t from) {
  for (std::size_t i = from; i < line.size(); ++i)
    if (line[i] == '#' && i > 0 && is_blank(line[i - 1])) return i;
  return line.size();
}

std::string_view trim_right(std::string_view text) {
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

// The value of the entry whose first character is at `start`.
std::string_view value_at(std::string_view line, std::size_t start) {
  if (start >= line.size() || line[start] == '#') return {};
  std::size_t scan_from = start;
  if (line[start] == '"' || line[start] == '\'') {
    const auto close = closing_quote(line.substr(start));
    if (close == std::string_view::npos) return line.substr(start);
    scan_from = start + close + 1;
  }
  const auto comment = comment_start(line, scan_from);
  const auto value = line.substr(start, comment - start);
  return comment == line.size() ? value : trim_right(value);
}

}  // namespace

std::vector<std::string_view> split_lines(std::string_view text) {
  if (text.substr(0, kByteOrderMark.size()) == kByteOrderMark)
    text.remove_prefix(kByteOrderMark.size());
  std::vector<std::string_view> lines;
  while (true) {
    const auto end = text.find('\n');
    auto line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::size_t indentation(std::string_view line) {
  return skip_blanks(line, 0);
}

bool is_blank_or_comment(std::string_view line) {
  const auto first = indentation(line);
  return first == line.size() || line[first] == '#';
}

std::optional<KeyLine> key_line(std::string_view line) {
  std::size_t at = indentation(line);
  while (at < line.size() && line[at] == '-' && blank_or_end(line, at + 1))
    at = skip_blanks(line, at + 1);
  if (!starts_plain(line.substr(at))) return std::nullopt;
  KeyLine entry;
  entry.key = at;
  for (std::size_t i = at + 1; i < line.size(); ++i) {
    if (line[i] == '#' && is_blank(line[i - 1])) return std::nullopt;
    if (line[i] != ':' || !blank_or_end(line, i + 1)) continue;
    entry.colon = i;
    entry.name = trim_right(line.substr(at, i - at));
    entry.value_start = skip_blanks(line, i + 1);
    entry.value = value_at(line, entry.value_start);
    return entry;
  }
  return std::nullopt;
}

bool is_inline_scalar(std::string_view value) {
  if (value.empty()) return false;
  if (value[0] == '"' || value[0] == '\'') return closing_quote(value) != std::string_view::npos;
  return starts_plain(value);
}

}  // namespace netcook::config
