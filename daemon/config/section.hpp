#pragma once

// One YAML mapping of the configuration ("log:", a listener, "echo:"), with
// its keys checked: duplicates and unknown keys are reported once here, so
// readers of the values only ever look up keys they know.

#include "config/diagnostics.hpp"

#include <yaml-cpp/yaml.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::config {

struct Entry {
  std::string key;
  YAML::Node key_node;  // for messages about the key itself
  YAML::Node value;
};

class Section {
 public:
  Section() = default;
  explicit Section(std::vector<Entry> entries) : entries_(std::move(entries)) {}

  // nullptr when the key is absent.
  const Entry* find(std::string_view key) const;

 private:
  std::vector<Entry> entries_;
};

// Reads the mapping `node` (a null node reads as empty). Keys outside
// `valid_keys` are reported as unknown, with `context` saying where
// ("in listener 'echo'"); a repeated key is reported at its second use. Only
// the first use of each valid key is kept.
Section read_section(const YAML::Node& node, std::span<const std::string_view> valid_keys,
                     std::string_view context, Diagnostics& diagnostics);

// "scalar", "sequence", "mapping" or "nothing", for type errors.
std::string_view type_name(const YAML::Node& node);

}  // namespace netcook::config
