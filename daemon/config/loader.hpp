#pragma once

// YAML -> validated Config. Validation is complete: every problem in the file
// is reported (not just the first), each with its file, line and column.

#include "config/config.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::config {

struct Error {
  std::string file;
  int line = 0;    // 1-based; 0 when the file could not be read
  int column = 0;  // 1-based; 0 when the file could not be read
  std::string message;

  // "FILE:LINE:COLUMN: message", or "FILE: message" without a position.
  std::string to_string() const;
};

struct LoadResult {
  std::optional<Config> config;  // set only when `errors` is empty
  std::vector<Error> errors;
};

// Reads and validates the file at `path`.
LoadResult load_config(const std::string& path);

// Validates `text`; `path` is only used in messages and stored in Config.
LoadResult parse_config(std::string_view text, const std::string& path);

}  // namespace netcook::config
