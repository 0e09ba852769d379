#pragma once

// Command-line options. netcookd always runs in the foreground; a service
// manager (or a terminal) supervises it.

#include "config/config.hpp"

#include <optional>
#include <stdexcept>
#include <string>

namespace netcook {

inline constexpr const char* kDefaultConfigPath = "/etc/netcookd.yaml";

struct Options {
  enum class Action { run, check_config, help, version };
  Action action = Action::run;
  std::string config_path = kDefaultConfigPath;
  std::optional<config::LogLevel> log_level;
};

// A mistake on the command line; main() prints it with the usage line and
// exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Options parse_options(int argc, char** argv);

// "usage: netcookd [-c FILE] ..." (one line).
const char* usage_line();

// The full --help text.
std::string help_text();

}  // namespace netcook
