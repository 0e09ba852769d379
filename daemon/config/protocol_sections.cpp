#include "config/protocol_sections.hpp"

#include "config/chat_bus_reader.hpp"
#include "config/guards_reader.hpp"
#include "config/prefix.hpp"
#include "config/values.hpp"

#include <fmt/format.h>

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

namespace netcook::config {
namespace {

constexpr std::array<std::string_view, 3> kEchoKeys{"mode", "prefix", "max_line"};
// In netcookd.yaml(5)'s order; chat_bus_reader.hpp reads the last ones.
constexpr std::array<std::string_view, 13> kChatKeys{
    "max_line",   "max_outbox", "max_members",       "rate",         "burst",      "room",
    "history",    "bus",        "bus_password_file", "presence_ttl", "bus_outage", "bus_queue",
    "bus_timeout"};
constexpr std::array<std::string_view, 10> kHttpKeys{
    "body",     "root",           "content_type",      "index",      "max_header",
    "max_body", "header_timeout", "keepalive_timeout", "access_log", "status"};
constexpr std::size_t kMinLine = 16;
// A chat line crosses to the fork master in one packet, and sanitizing may
// triple it (each bad byte becomes U+FFFD).
constexpr std::size_t kMaxChatLine = 32 * 1024;
constexpr std::size_t kMinOutbox = 4 * 1024;
constexpr std::size_t kMaxOutbox = std::size_t{1} << 30;
constexpr std::size_t kMaxMembers = 1'000'000;
constexpr std::size_t kMaxLine = std::size_t{16} << 20;

constexpr std::size_t kMaxHttpBody = std::size_t{1} << 20;
constexpr std::size_t kMinHeader = 1024;
constexpr std::size_t kMaxHeader = std::size_t{1} << 20;
constexpr std::size_t kMaxRequestBody = std::size_t{1} << 40;
constexpr Duration kMaxHttpTimeout = std::chrono::hours(24);

// Visible ASCII, blanks and obs-text: what a header value may hold.
bool is_header_value(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return c == '\t' || (byte >= 0x20 && byte != 0x7F);
  });
}

// A relative root is taken from the configuration file's folder, so that
// an example serves its site from a checkout and installed alike; the
// result is absolute (the daemon's working directory plays no part later).
std::optional<std::string> resolve_root(const std::string& path, const std::string& config_file,
                                        std::string& reason) {
  if (path.empty()) {
    reason = "must not be empty";
    return std::nullopt;
  }
  std::filesystem::path root(path);
  if (root.is_relative()) {
    std::error_code error;
    root =
        std::filesystem::absolute(std::filesystem::path(config_file).parent_path() / root, error);
    if (error) {
      reason = "cannot make it absolute: " + error.message();
      return std::nullopt;
    }
  }
  root = root.lexically_normal();
  if (!root.has_filename() && root.has_parent_path() && root != root.root_path())
    root = root.parent_path();  // "www/" is "www"
  return root.string();
}

// A directory that exists now (a reload checks again). A relative root's
// reasons name where it was looked for.
bool is_usable_root(const std::string& path, bool relative, std::string& reason) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    reason = relative ? path + ": " + std::strerror(errno) : std::strerror(errno);
    return false;
  }
  if (!S_ISDIR(info.st_mode)) {
    reason = relative ? path + ": not a directory" : "not a directory";
    return false;
  }
  return true;
}

// rate: and burst: of chat's flood control. burst keeps its default (50)
// whatever the rate: it is how many lines a paste may bring at once.
void read_flood(const Section& section, TokenRate& flood, Diagnostics& diagnostics) {
  const auto* rate_entry = section.find("rate");
  const auto* burst_entry = section.find("burst");
  std::optional<Rate> rate;
  if (rate_entry != nullptr) {
    rate = read_rate(*rate_entry, kMaxGuardCount, diagnostics);
    if (rate) flood = rate->unlimited() ? TokenRate{} : TokenRate{*rate, flood.burst};
  }
  if (burst_entry == nullptr) return;
  if (flood.rate.unlimited())
    return diagnostics.error(burst_entry->key_node.Mark(),
                             "'burst' has no effect when 'rate' is unlimited");
  if (auto burst = read_burst(*burst_entry, diagnostics)) flood.burst = *burst;
}

std::string section_context(const Entry& entry, std::string_view listener) {
  return fmt::format("in section '{}' of {}", entry.key, listener);
}

}  // namespace

void read_echo_section(const Entry& entry, std::string_view listener, EchoOptions& echo,
                       Diagnostics& diagnostics) {
  if (!is_mapping(entry, diagnostics)) return;
  const auto section =
      read_section(entry.value, kEchoKeys, section_context(entry, listener), diagnostics);
  if (const auto* mode = section.find("mode"))
    if (auto value = read_enum(*mode, "echo mode", kEchoModeNames, diagnostics)) echo.mode = *value;
  if (const auto* prefix = section.find("prefix")) {
    if (auto text = read_scalar(*prefix, diagnostics)) {
      std::string reason;
      if (is_valid_prefix(*text, reason))
        echo.prefix = std::move(*text);
      else
        report_invalid(*prefix, reason, diagnostics);
    }
  }
  if (const auto* max_line = section.find("max_line"))
    if (auto value = read_size(*max_line, kMinLine, kMaxLine, diagnostics)) echo.max_line = *value;
  // Raw mode would ignore them silently, which is never what was meant.
  if (echo.mode == EchoMode::raw)
    for (const char* key : {"prefix", "max_line"})
      if (const auto* given = section.find(key))
        diagnostics.error(given->key_node.Mark(),
                          fmt::format("'{}' applies only to echo mode line", key));
}

void read_chat_section(const Entry& entry, std::string_view listener, ChatOptions& chat,
                       Diagnostics& diagnostics) {
  if (!is_mapping(entry, diagnostics)) return;
  const auto section =
      read_section(entry.value, kChatKeys, section_context(entry, listener), diagnostics);
  if (const auto* max_line = section.find("max_line"))
    if (auto value = read_size(*max_line, kMinLine, kMaxChatLine, diagnostics))
      chat.max_line = *value;
  if (const auto* max_outbox = section.find("max_outbox"))
    if (auto value = read_size(*max_outbox, kMinOutbox, kMaxOutbox, diagnostics))
      chat.max_outbox = *value;
  if (const auto* max_members = section.find("max_members"))
    if (auto value = read_integer(*max_members, 1, kMaxMembers, diagnostics))
      chat.max_members = static_cast<std::size_t>(*value);
  read_flood(section, chat.flood, diagnostics);
  read_chat_bus(section, chat, diagnostics);
}

// A listener serves one thing: a fixed response (body, the default), files
// (root) or the daemon's figures (status: true). The error points at the
// key that makes it two.
void check_what_is_served(const Entry* body, const Entry* root, const Entry* status,
                          bool serves_status, Diagnostics& diagnostics) {
  const std::string choice =
      "give only one of 'body' (a fixed response), 'root' (files) and 'status' (the daemon's "
      "figures)";
  if (body != nullptr && root != nullptr) diagnostics.error(root->key_node.Mark(), choice);
  if (serves_status && (body != nullptr || root != nullptr))
    diagnostics.error(status->key_node.Mark(), choice);
}

void read_http_section(const Entry& entry, std::string_view listener, HttpOptions& http,
                       Diagnostics& diagnostics) {
  if (!is_mapping(entry, diagnostics)) return;
  const auto section =
      read_section(entry.value, kHttpKeys, section_context(entry, listener), diagnostics);
  const auto* body = section.find("body");
  const auto* root = section.find("root");
  const auto* status = section.find("status");
  if (status != nullptr)
    if (auto value = read_bool(*status, diagnostics)) http.status = *value;
  check_what_is_served(body, root, status, http.status, diagnostics);
  if (body != nullptr)
    if (auto text = read_scalar(*body, diagnostics)) {
      if (text->size() > kMaxHttpBody)
        report_invalid(*body, "longer than 1MiB; serve large content from 'root'", diagnostics);
      else
        http.body = std::move(*text);
    }
  if (root != nullptr)
    if (auto path = read_scalar(*root, diagnostics)) {
      std::string reason;
      const auto resolved = resolve_root(*path, diagnostics.file(), reason);
      if (resolved && is_usable_root(*resolved, path->front() != '/', reason))
        http.root = *resolved;
      else
        report_invalid(*root, reason, diagnostics);
    }
  if (const auto* type = section.find("content_type"))
    if (auto text = read_scalar(*type, diagnostics)) {
      if (is_header_value(*text) && !text->empty())
        http.content_type = std::move(*text);
      else
        report_invalid(*type, "not a valid header value", diagnostics);
    }
  if (const auto* index = section.find("index"))
    if (auto name = read_scalar(*index, diagnostics)) {
      if (!name->empty() && name->find('/') == std::string::npos && *name != "." && *name != "..")
        http.index = std::move(*name);
      else
        report_invalid(*index, "must be a file name, without '/'", diagnostics);
    }
  if (const auto* max_header = section.find("max_header"))
    if (auto value = read_size(*max_header, kMinHeader, kMaxHeader, diagnostics))
      http.max_header = *value;
  if (const auto* max_body = section.find("max_body"))
    if (auto value = read_size(*max_body, 0, kMaxRequestBody, diagnostics)) http.max_body = *value;
  if (const auto* timeout = section.find("header_timeout"))
    if (auto value = read_duration(*timeout, Duration(1), kMaxHttpTimeout, diagnostics))
      http.header_timeout = *value;
  if (const auto* timeout = section.find("keepalive_timeout"))
    if (auto value = read_duration(*timeout, Duration(1), kMaxHttpTimeout, diagnostics))
      http.keepalive_timeout = *value;
  if (const auto* access_log = section.find("access_log"))
    if (auto value = read_bool(*access_log, diagnostics)) http.access_log = *value;
}

}  // namespace netcook::config
