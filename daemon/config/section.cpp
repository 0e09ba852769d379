#include "config/section.hpp"

#include "config/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace netcook::config {
namespace {

void report_unknown(const YAML::Node& key, std::string_view context,
                    std::span<const std::string_view> valid_keys, Diagnostics& diagnostics) {
  const auto& name = key.Scalar();
  if (valid_keys.empty())
    diagnostics.error(key.Mark(), fmt::format("unknown key '{}' {}; this section takes no "
                                              "keys yet",
                                              name, context));
  else if (auto guess = nearest(name, valid_keys))
    diagnostics.error(
        key.Mark(), fmt::format("unknown key '{}' {}; did you mean '{}'?", name, context, *guess));
  else
    diagnostics.error(key.Mark(), fmt::format("unknown key '{}' {}; valid keys: {}", name, context,
                                              join(valid_keys)));
}

}  // namespace

const Entry* Section::find(std::string_view key) const {
  for (const auto& entry : entries_)
    if (entry.key == key) return &entry;
  return nullptr;
}

Section read_section(const YAML::Node& node, std::span<const std::string_view> valid_keys,
                     std::string_view context, Diagnostics& diagnostics) {
  std::vector<Entry> entries;
  if (!node.IsMap()) return Section(std::move(entries));
  // Every key seen, known or not, so that a repeated unknown key is reported
  // as unknown each time rather than as a duplicate.
  std::vector<std::pair<std::string, YAML::Mark>> seen;
  for (const auto& pair : node) {
    // Copies: yaml-cpp nodes are handles, and its iterator's operator->
    // returns a temporary that must not be referred to.
    const YAML::Node key = pair.first;
    if (!key.IsScalar()) {
      diagnostics.error(key.Mark(),
                        fmt::format("keys must be plain words, not a {}", type_name(key)));
      continue;
    }
    const std::string name = key.Scalar();
    const auto first =
        std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == name; });
    const bool valid = std::find(valid_keys.begin(), valid_keys.end(), name) != valid_keys.end();
    if (!valid)
      report_unknown(key, context, valid_keys, diagnostics);
    else if (first != seen.end())
      diagnostics.error(key.Mark(), fmt::format("duplicate key '{}' (first at line {})", name,
                                                to_mark(first->second).line));
    else
      entries.push_back({name, key, pair.second});
    if (first == seen.end()) seen.emplace_back(name, key.Mark());
  }
  return Section(std::move(entries));
}

std::string_view type_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "scalar";
    case YAML::NodeType::Sequence:
      return "sequence";
    case YAML::NodeType::Map:
      return "mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

}  // namespace netcook::config
