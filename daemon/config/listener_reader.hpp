#pragma once

// One item of `listeners:`, checked on its own. Checks that need all
// listeners (unique names, conflicting addresses) are the loader's.

#include "config/config.hpp"
#include "config/diagnostics.hpp"

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>

namespace netcook::config {

struct ListenerDraft {
  Listener listener;
  std::string label;       // "listener 'echo'", or "listener #2" if unnamed
  bool has_name = false;   // listener.name is present and valid
  bool has_listen = false; // listener.listen is present and valid
  YAML::Mark name_mark;    // of the name's value
  YAML::Mark listen_mark;  // of the listen value
};

// Reads the `number`th (1-based) item of `listeners:`, starting from
// `defaults` for its limits. Returns nullopt when the item is not a mapping;
// otherwise a draft whose fields hold every value that was valid.
std::optional<ListenerDraft> read_listener(const YAML::Node& item,
                                           std::size_t number,
                                           const Limits& defaults,
                                           Diagnostics& diagnostics);

}  // namespace netcook::config
