#pragma once

// Hints for the usual mistakes behind a YAML syntax error. yaml-cpp says what
// its grammar expected ("illegal map value", "end of map not found"), which
// names none of them; these recognise each mistake from the raw text around
// where yaml-cpp stopped: the error's line and the lines before it.

#include <yaml-cpp/mark.h>

#include <optional>
#include <string>
#include <string_view>

namespace netcook::config {

// A hint for the syntax error `message` (a yaml-cpp ErrorMsg) that yaml-cpp
// reported at `mark` in `text`, the whole file, quoting the user's own text:
// e.g. `quote the address: "[::1]:7007"`. nullopt when the text there is not
// one of the mistakes recognised: a wrong hint misleads more than none. Any
// mark is safe, a null one or one past the end of the text included.
//
// Recognised: a tab in the indentation; an unquoted IPv6 address in
// brackets; an unquoted value that contains ': ' or ends in ':'; "-name:"
// without a space after '-'; a key indented under a key that already has a
// value.
std::optional<std::string> syntax_hint(std::string_view text, std::string_view message,
                                       const YAML::Mark& mark);

}  // namespace netcook::config
