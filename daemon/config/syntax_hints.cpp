#include "config/syntax_hints.hpp"

#include "config/raw_line.hpp"

#include <fmt/format.h>
#include <yaml-cpp/exceptions.h>

#include <algorithm>
#include <initializer_list>
#include <vector>

namespace netcook::config {
namespace {

// User text longer than this is not repeated in a hint: a hint is one line.
constexpr std::size_t kMaxQuoted = 64;

using Lines = std::vector<std::string_view>;

// Where yaml-cpp stopped, 0-based, inside `lines`.
struct Spot {
  std::size_t line;
  std::size_t column;
};

bool is_one_of(std::string_view message, std::initializer_list<const char*> messages) {
  return std::any_of(messages.begin(), messages.end(),
                     [&](const char* known) { return message == known; });
}

bool has_tab(std::string_view text) {
  return text.find('\t') != std::string_view::npos;
}

// `text` as a YAML double-quoted scalar.
std::string double_quoted(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c == '\t' ? std::string_view("\\t") : std::string_view(&c, 1);
  }
  return quoted + '"';
}

// YAML allows no tab in indentation; yaml-cpp stops in the indentation or, for
// "\tkey: value", at the key's ':'.
std::optional<std::string> tab_hint(const Lines& lines, Spot at, std::string_view message) {
  using namespace YAML::ErrorMsg;
  if (!is_one_of(message, {TAB_IN_INDENTATION, BLOCK_ENTRY, MAP_VALUE, END_OF_MAP, END_OF_SEQ}))
    return std::nullopt;
  const auto line = lines[at.line];
  const auto indent = indentation(line);
  if (!has_tab(line.substr(0, indent))) return std::nullopt;
  const auto entry = key_line(line);
  if (at.column > indent && !(entry && at.column == entry->colon)) return std::nullopt;
  return "indent with spaces; YAML does not allow tabs";
}

bool is_address_character(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ':' ||
         c == '.' || c == '%' || c == '_' || c == '-';
}

// "[::1]:7007" unquoted: yaml-cpp reads "[::1]" as a flow sequence and stops
// at the ':' after it.
std::optional<std::string> address_hint(const Lines& lines, Spot at, std::string_view message) {
  using namespace YAML::ErrorMsg;
  if (!is_one_of(message, {END_OF_MAP, END_OF_MAP_FLOW, END_OF_SEQ})) return std::nullopt;
  const auto line = lines[at.line];
  if (at.column == 0 || at.column >= line.size() || line[at.column] != ':' ||
      line[at.column - 1] != ']')
    return std::nullopt;
  const auto open = line.rfind('[', at.column - 1);
  if (open == std::string_view::npos) return std::nullopt;
  if (open > 0 && std::string_view(" \t,[{").find(line[open - 1]) == std::string_view::npos)
    return std::nullopt;
  const auto host = line.substr(open + 1, at.column - 1 - (open + 1));
  if (host.find(':') == std::string_view::npos ||
      !std::all_of(host.begin(), host.end(), is_address_character))
    return std::nullopt;
  auto end = at.column + 1;
  while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
  if (end == at.column + 1) return std::nullopt;
  if (end < line.size() && std::string_view(" \t,]}").find(line[end]) == std::string_view::npos)
    return std::nullopt;
  const auto address = line.substr(open, end - open);
  if (address.size() > kMaxQuoted) return std::nullopt;
  return fmt::format("quote the address: {}", double_quoted(address));
}

// "prefix: You said: ": in a plain value, ': ' (or a ':' that ends the line)
// would start another key.
std::optional<std::string> colon_hint(const Lines& lines, Spot at, std::string_view message) {
  if (message != YAML::ErrorMsg::MAP_VALUE) return std::nullopt;
  const auto line = lines[at.line];
  const auto entry = key_line(line);
  if (!entry || !is_inline_scalar(entry->value) || entry->value[0] == '"' ||
      entry->value[0] == '\'')
    return std::nullopt;
  const auto end = entry->value_start + entry->value.size();
  if (at.column <= entry->value_start || at.column >= end || line[at.column] != ':' ||
      (at.column + 1 < line.size() && line[at.column + 1] != ' ' && line[at.column + 1] != '\t'))
    return std::nullopt;
  const bool inside = entry->value.find(": ") != std::string_view::npos ||
                      entry->value.find(":\t") != std::string_view::npos;
  const auto advice = inside ? std::string("quote a value that contains ': '")
                             : std::string("quote a value that ends with ':'");
  if (entry->name.size() + entry->value.size() > kMaxQuoted) return advice;
  return fmt::format("{}, as in {}: {}", advice, entry->name, double_quoted(entry->value));
}

// The nearest line before `line` that is not blank or a comment.
std::optional<std::size_t> previous_content(const Lines& lines, std::size_t line) {
  while (line > 0)
    if (!is_blank_or_comment(lines[--line])) return line;
  return std::nullopt;
}

// "    listen: x" then "      max_line: 5": yaml-cpp stops at the deeper
// key (its start or its ':'), which cannot belong to a key with a value. When
// the key with a value is "-name" and the deeper key sits where "name" would
// after "- ", the space after '-' is what is missing.
std::optional<std::string> nesting_hint(const Lines& lines, Spot at, std::string_view message) {
  using namespace YAML::ErrorMsg;
  if (!is_one_of(message, {MAP_VALUE, END_OF_MAP})) return std::nullopt;
  const auto line = lines[at.line];
  const auto entry = key_line(line);
  if (!entry || entry->key != indentation(line) || has_tab(line.substr(0, entry->key)) ||
      (at.column != entry->key && at.column != entry->colon))
    return std::nullopt;
  const auto previous = previous_content(lines, at.line);
  if (!previous) return std::nullopt;
  const auto owner_line = lines[*previous];
  const auto owner = key_line(owner_line);
  if (!owner || owner->key >= entry->key || has_tab(owner_line.substr(0, owner->key)) ||
      !is_inline_scalar(owner->value))
    return std::nullopt;
  if (owner->name.size() > 1 && owner->name[0] == '-' && owner->key == indentation(owner_line) &&
      entry->key == owner->key + 2) {
    const auto written = owner_line.substr(
        owner->key + 1, owner->value_start + owner->value.size() - owner->key - 1);
    if (written.size() > kMaxQuoted) return "put a space after '-'";
    return fmt::format("put a space after '-': {}", double_quoted("- " + std::string(written)));
  }
  if (entry->name.size() + owner->name.size() > kMaxQuoted) return std::nullopt;
  return fmt::format(
      "'{}' is indented under '{}', which already has a value; indent it like the key it "
      "belongs with",
      entry->name, owner->name);
}

// yaml-cpp would number lines or columns differently from split_lines.
bool lines_are_ambiguous(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return true;  // UTF-16 or UTF-32
  for (auto cr = text.find('\r'); cr != std::string_view::npos; cr = text.find('\r', cr + 1))
    if (cr + 1 == text.size() || text[cr + 1] != '\n') return true;
  return false;
}

}  // namespace

std::optional<std::string> syntax_hint(std::string_view text, std::string_view message,
                                       const YAML::Mark& mark) {
  if (mark.line < 0 || mark.column < 0 || lines_are_ambiguous(text)) return std::nullopt;
  const auto lines = split_lines(text);
  const Spot at{static_cast<std::size_t>(mark.line), static_cast<std::size_t>(mark.column)};
  if (at.line >= lines.size() || at.column > lines[at.line].size()) return std::nullopt;
  for (const auto recognise : {tab_hint, address_hint, colon_hint, nesting_hint})
    if (auto hint = recognise(lines, at, message)) return hint;
  return std::nullopt;
}

}  // namespace netcook::config
