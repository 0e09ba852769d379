#pragma once

// Collects every problem found in one configuration file, so that a user
// fixes them all in one edit instead of one per run.

#include "config/loader.hpp"

#include <yaml-cpp/mark.h>

#include <string>
#include <vector>

namespace netcook::config {

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  // `mark` as yaml-cpp gives it (0-based); a null mark means "whole file".
  void error(const YAML::Mark& mark, std::string message);
  // An error about the whole file.
  void error(std::string message);

  bool empty() const { return errors_.empty(); }

  // The file the errors are about, as it was named.
  const std::string& file() const { return file_; }

  // The errors in file order (whole-file errors first).
  std::vector<Error> take();

 private:
  std::string file_;
  std::vector<Error> errors_;
};

// The 1-based position of a yaml-cpp mark; {0, 0} for a null mark.
Mark to_mark(const YAML::Mark& mark);

}  // namespace netcook::config
