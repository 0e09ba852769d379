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

// An unknown key that was reported with "did you mean '<meant>'?".
struct Misspelling {
  std::string written;
  std::string meant;  // the valid key suggested
  YAML::Mark mark;    // of the written key
};

class Section {
 public:
  Section() = default;
  Section(std::vector<Entry> entries, std::vector<Misspelling> misspellings)
      : entries_(std::move(entries)), misspellings_(std::move(misspellings)) {}

  // nullptr when the key is absent.
  const Entry* find(std::string_view key) const;

  // The first unknown key reported as a likely misspelling of `key`, or
  // nullptr.
  const Misspelling* misspelling_of(std::string_view key) const;

 private:
  std::vector<Entry> entries_;
  std::vector<Misspelling> misspellings_;
};

// Reads the mapping `node` (a null node reads as empty). Keys outside
// `valid_keys` are reported as unknown, with `context` saying where
// ("in listener 'echo'"); a repeated key is reported at its second use. Only
// the first use of each valid key is kept.
Section read_section(const YAML::Node& node, std::span<const std::string_view> valid_keys,
                     std::string_view context, Diagnostics& diagnostics);

// Reports each key of `required` that `section` lacks, as "<owner> is
// missing required key '<key>'" ("missing required key '<key>'" when `owner`
// is empty), at `mark`. When an unknown key was reported as a likely
// misspelling of it, the error names that key and is reported at it instead,
// so that it follows the "did you mean" it comes from: one cause reads as one
// story, not as two unrelated errors far apart.
void report_missing(const Section& section, std::span<const std::string_view> required,
                    const YAML::Mark& mark, std::string_view owner, Diagnostics& diagnostics);

// "scalar", "sequence", "mapping" or "nothing", for type errors.
std::string_view type_name(const YAML::Node& node);

}  // namespace netcook::config
