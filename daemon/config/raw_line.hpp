#pragma once

// The raw text of a configuration file, line by line, as a person reads it:
// indentation, a key, its value. yaml-cpp's nodes are gone after a syntax
// error, so hints about one (syntax_hints.hpp) look at the text instead. Only
// block mappings' "key: value" lines are understood, not YAML's grammar.

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace netcook::config {

// The lines of `text` without their "\n" or "\r\n", numbered as yaml-cpp
// numbers them: from 0, with a leading UTF-8 byte order mark dropped (yaml-cpp
// drops it before it counts columns). The views point into `text`.
std::vector<std::string_view> split_lines(std::string_view text);

// The number of spaces and tabs that start `line`.
std::size_t indentation(std::string_view line);

// Nothing but blanks, or a comment.
bool is_blank_or_comment(std::string_view line);

// A line that holds a block mapping entry: indentation, any "- " of
// sequence entries, then "key:" and a value. Offsets are into the line.
struct KeyLine {
  std::size_t key = 0;    // where the key starts
  std::size_t colon = 0;  // the ':' that ends the key
  std::string_view name;  // the key as written
  // The value as written, from its first character up to a comment (with the
  // blanks before the comment); up to the end of the line, trailing blanks
  // included, when there is no comment. Empty when the key has no value on
  // its line.
  std::string_view value;
  std::size_t value_start = 0;  // where `value` starts
};

// The entry on `line`, or nullopt when the line does not start with a plain
// (unquoted) key followed by ':' and a blank or the end of the line.
std::optional<KeyLine> key_line(std::string_view line);

// The value is a whole scalar on this line: plain, or quoted with its closing
// quote on the line. Not a flow collection, block scalar, anchor, alias or
// tag, whose extent or meaning a line alone does not tell.
bool is_inline_scalar(std::string_view value);

}  // namespace netcook::config
