#include "cli.hpp"

#include <getopt.h>

#include <fmt/format.h>

namespace netcook {
namespace {

enum : int { kLogLevel = 256, kVersion };

constexpr option kLongOptions[] = {
    {"config", required_argument, nullptr, 'c'},
    {"check-config", no_argument, nullptr, 't'},
    {"log-level", required_argument, nullptr, kLogLevel},
    {"version", no_argument, nullptr, kVersion},
    {"help", no_argument, nullptr, 'h'},
    {nullptr, 0, nullptr, 0},
};

config::LogLevel parse_level(const std::string& text) {
  for (const auto level : {config::LogLevel::trace, config::LogLevel::debug,
                           config::LogLevel::info, config::LogLevel::warn,
                           config::LogLevel::error})
    if (text == config::to_string(level)) return level;
  throw UsageError(fmt::format(
      "invalid --log-level '{}' (expected trace, debug, info, warn or error)", text));
}

}  // namespace

const char* usage_line() {
  return "usage: netcookd [-c|--config FILE] [-t|--check-config] [--log-level LEVEL] "
         "[--version] [-h|--help]";
}

std::string help_text() {
  return fmt::format(
      "{}\n\n"
      "Multi-protocol, multi-model network daemon: echo, chat and http listeners,\n"
      "each under the fork, thread, select, epoll or coroutine model.\n\n"
      "Options:\n"
      "  -c, --config FILE      configuration file (default {})\n"
      "  -t, --check-config     validate the configuration, print the result, exit\n"
      "      --log-level LEVEL  trace, debug, info, warn or error; overrides log.level\n"
      "      --version          print the version and exit\n"
      "  -h, --help             print this help and exit\n\n"
      "Signals: SIGHUP reloads the configuration; SIGTERM and SIGINT stop gracefully.\n"
      "Exit status: 0 success, 1 configuration or start-up error, 2 usage error.\n",
      usage_line(), kDefaultConfigPath);
}

Options parse_options(int argc, char** argv) {
  Options options;
  bool check = false;
  ::opterr = 0;  // our messages, not getopt's
  ::optind = 1;
  int c = 0;
  while ((c = ::getopt_long(argc, argv, ":c:th", kLongOptions, nullptr)) != -1) {
    switch (c) {
      case 'c': options.config_path = ::optarg; break;
      case 't': check = true; break;
      case 'h': options.action = Options::Action::help; return options;
      case kVersion: options.action = Options::Action::version; return options;
      case kLogLevel: options.log_level = parse_level(::optarg); break;
      case ':':
        throw UsageError(fmt::format("option '{}' needs an argument", argv[::optind - 1]));
      default:
        throw UsageError(fmt::format("unknown option '{}'", argv[::optind - 1]));
    }
  }
  if (::optind < argc) throw UsageError(fmt::format("unexpected argument '{}'", argv[::optind]));
  if (options.config_path.empty()) throw UsageError("--config needs a file name");
  if (check) options.action = Options::Action::check_config;
  return options;
}

}  // namespace netcook
