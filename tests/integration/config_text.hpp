#pragma once

// Builds netcookd configuration files for tests: a log section that sends
// debug lines to stderr (where Daemon reads them), optional `defaults:`
// lines, and echo listeners on ephemeral loopback ports.

#include <string>
#include <string_view>
#include <vector>

namespace netcook::test {

struct EchoListener {
  std::string name;
  std::string model = "epoll";
  std::string listen = "127.0.0.1:0";
  std::string mode = "raw";  // raw | line
  std::string prefix = "";   // line mode; written double-quoted
  std::string max_line = ""; // empty: the daemon's default
};

// `defaults` are "key: value" lines for the `defaults:` section.
std::string make_config(const std::vector<EchoListener>& listeners,
                        const std::vector<std::string>& defaults = {});

// `text` as a YAML double-quoted scalar.
std::string yaml_quote(std::string_view text);

}  // namespace netcook::test
