#include "config/loader.hpp"

#include "config/limits_reader.hpp"
#include "config/listener_checks.hpp"
#include "config/listener_reader.hpp"
#include "config/syntax_hints.hpp"
#include "config/values.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

namespace netcook::config {
namespace {

constexpr std::array<std::string_view, 3> kTopKeys{"log", "defaults", "listeners"};
constexpr std::array<std::string_view, 1> kRequiredTopKeys{"listeners"};
constexpr std::array<std::string_view, 2> kLogKeys{"level", "target"};
constexpr std::string_view kQuoteStar =
    "; a value that starts with '*' must be quoted, e.g. \"*:7007\"";

void read_log(const Entry& entry, LogOptions& log, Diagnostics& diagnostics) {
  if (!is_mapping(entry, diagnostics)) return;
  const auto section = read_section(entry.value, kLogKeys, "in section 'log'", diagnostics);
  if (const auto* level = section.find("level"))
    if (auto value = read_enum(*level, "log level", kLogLevelNames, diagnostics))
      log.level = *value;
  if (const auto* target = section.find("target"))
    if (auto value = read_enum(*target, "log target", kLogTargetNames, diagnostics))
      log.target = *value;
}

void read_defaults(const Entry& entry, Limits& limits, Diagnostics& diagnostics) {
  if (!is_mapping(entry, diagnostics)) return;
  const auto section = read_section(entry.value, kLimitKeys, "in section 'defaults'", diagnostics);
  read_limits(section, limits, diagnostics);
}

void read_listeners(const Entry& entry, Config& config, Diagnostics& diagnostics) {
  const auto& list = entry.value;
  if (list.IsNull() || (list.IsSequence() && list.size() == 0))
    return diagnostics.error(list.IsNull() ? entry.key_node.Mark() : list.Mark(),
                             "'listeners' needs at least one listener");
  if (!list.IsSequence())
    return diagnostics.error(
        list.Mark(), fmt::format("'listeners' must be a sequence, not a {}", type_name(list)));
  std::vector<ListenerDraft> drafts;
  std::size_t number = 0;
  for (const auto& item : list)
    if (auto draft = read_listener(item, ++number, config.defaults, diagnostics))
      drafts.push_back(std::move(*draft));
  check_listeners(drafts, diagnostics);
  for (auto& draft : drafts) config.listeners.push_back(std::move(draft.listener));
}

void read_document(const YAML::Node& root, Config& config, Diagnostics& diagnostics) {
  // Even an error about the whole file gets a position (its start), so that
  // every error about the content reads FILE:LINE:COLUMN.
  if (root.IsNull())
    return diagnostics.error(YAML::Mark(), "the file is empty; 'listeners' is required");
  if (!root.IsMap())
    return diagnostics.error(
        root.Mark(), fmt::format("the top level must be a mapping, not a {}", type_name(root)));
  const auto section = read_section(root, kTopKeys, "at the top level", diagnostics);
  if (const auto* log = section.find("log")) read_log(*log, config.log, diagnostics);
  // Before the listeners, wherever it is in the file: they start from it.
  if (const auto* defaults = section.find("defaults"))
    read_defaults(*defaults, config.defaults, diagnostics);
  if (const auto* listeners = section.find("listeners"))
    read_listeners(*listeners, config, diagnostics);
  report_missing(section, kRequiredTopKeys, root.Mark(), "", diagnostics);
}

// Syntax errors stop yaml-cpp: nothing after the first can be checked.
std::optional<YAML::Node> parse_yaml(std::string_view text, Diagnostics& diagnostics) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    // "listen: *:7007" reads as an alias to an anchor named ":7007".
    if (e.msg == YAML::ErrorMsg::UNKNOWN_ANCHOR)
      diagnostics.error(e.mark, e.msg + std::string(kQuoteStar));
    else if (auto hint = syntax_hint(text, e.msg, e.mark))
      diagnostics.error(e.mark, fmt::format("{} (hint: {})", e.msg, *hint));
    else
      diagnostics.error(e.mark, e.msg);
    return std::nullopt;
  }
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// The whole file, or nullopt with `error` set to errno.
std::optional<std::string> read_file(const std::string& path, int& error) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    error = errno;
    return std::nullopt;
  }
  std::string text;
  char buffer[8192];
  while (const auto count = std::fread(buffer, 1, sizeof buffer, file.get()))
    text.append(buffer, count);
  if (std::ferror(file.get())) {
    error = errno;
    return std::nullopt;
  }
  return text;
}

}  // namespace

LoadResult load_config(const std::string& path) {
  int error = 0;
  auto text = read_file(path, error);
  if (!text) {
    Diagnostics diagnostics(path);
    diagnostics.error(fmt::format("cannot read: {}", std::generic_category().message(error)));
    return {std::nullopt, diagnostics.take()};
  }
  return parse_config(*text, path);
}

LoadResult parse_config(std::string_view text, const std::string& path) {
  Diagnostics diagnostics(path);
  Config config;
  config.path = path;
  if (auto root = parse_yaml(text, diagnostics)) read_document(*root, config, diagnostics);
  LoadResult result;
  if (diagnostics.empty()) result.config = std::move(config);
  result.errors = diagnostics.take();
  return result;
}

}  // namespace netcook::config
