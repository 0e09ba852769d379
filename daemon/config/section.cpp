#include "config/section.hpp"

#include "config/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace netcook::config {
namespace {

// Returns the valid key it suggested, if any.
std::optional<std::string_view> report_unknown(const YAML::Node& key, std::string_view context,
                                               std::span<const std::string_view> valid_keys,
                                               Diagnostics& diagnostics) {
  const auto& name = key.Scalar();
  if (valid_keys.empty()) {
    diagnostics.error(key.Mark(), fmt::format("unknown key '{}' {}; this section takes no "
                                              "keys yet",
                                              name, context));
    return std::nullopt;
  }
  const auto guess = nearest(name, valid_keys);
  if (guess)
    diagnostics.error(
        key.Mark(), fmt::format("unknown key '{}' {}; did you mean '{}'?", name, context, *guess));
  else
    diagnostics.error(key.Mark(), fmt::format("unknown key '{}' {}; valid keys: {}", name, context,
                                              join(valid_keys)));
  return guess;
}

}  // namespace

const Entry* Section::find(std::string_view key) const {
  for (const auto& entry : entries_)
    if (entry.key == key) return &entry;
  return nullptr;
}

const Misspelling* Section::misspelling_of(std::string_view key) const {
  for (const auto& misspelling : misspellings_)
    if (misspelling.meant == key) return &misspelling;
  return nullptr;
}

Section read_section(const YAML::Node& node, std::span<const std::string_view> valid_keys,
                     std::string_view context, Diagnostics& diagnostics) {
  std::vector<Entry> entries;
  std::vector<Misspelling> misspellings;
  if (!node.IsMap()) return Section(std::move(entries), std::move(misspellings));
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
    if (!valid) {
      if (auto guess = report_unknown(key, context, valid_keys, diagnostics))
        misspellings.push_back({name, std::string(*guess), key.Mark()});
    } else if (first != seen.end())
      diagnostics.error(key.Mark(), fmt::format("duplicate key '{}' (first at line {})", name,
                                                to_mark(first->second).line));
    else
      entries.push_back({name, key, pair.second});
    if (first == seen.end()) seen.emplace_back(name, key.Mark());
  }
  return Section(std::move(entries), std::move(misspellings));
}

void report_missing(const Section& section, std::span<const std::string_view> required,
                    const YAML::Mark& mark, std::string_view owner, Diagnostics& diagnostics) {
  for (const auto key : required) {
    if (section.find(key) != nullptr) continue;
    auto message = owner.empty() ? fmt::format("missing required key '{}'", key)
                                 : fmt::format("{} is missing required key '{}'", owner, key);
    if (const auto* misspelling = section.misspelling_of(key))
      diagnostics.error(misspelling->mark,
                        fmt::format("{} ('{}' above looks like a misspelling of it)", message,
                                    misspelling->written));
    else
      diagnostics.error(mark, std::move(message));
  }
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
