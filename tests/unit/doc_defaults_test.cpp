// Every "(default ...)" in netcookd.yaml(5) against the code's own default
// (config.hpp), both ways: a default changed in one place and not the other,
// a documented key the code lacks, or a default the page does not state
// fails here. Defaults stated in words ("the listener's max_outbox") are
// not literal values and are left out.

#include "config/config.hpp"
#include "config/units.hpp"

#include <fstream>
#include <map>
#include <regex>
#include <string>

#include <gtest/gtest.h>

namespace netcook::config {
namespace {

using Defaults = std::map<std::string, std::string>;

// "SECTION.key" -> the default as the page writes it (scdoc source: the
// underscores of italics removed, "\\n" for a newline).
Defaults documented(const std::string& path) {
  std::ifstream page(path);
  if (!page) throw std::runtime_error("cannot read " + path);
  const std::regex heading(R"(^# (\w+)$)");
  const std::regex entry(R"(^\*(\w+)\*: .*\(default (.*)\)$)");
  Defaults defaults;
  std::string section;
  for (std::string line; std::getline(page, line);) {
    std::smatch match;
    if (std::regex_match(line, match, heading)) {
      section = match[1];
    } else if (std::regex_match(line, match, entry)) {
      std::string value = match[2];
      if (value.size() >= 2 && value.front() == '_' && value.back() == '_')
        value = value.substr(1, value.size() - 2);
      defaults[section + "." + std::string(match[1])] = value;
    }
  }
  return defaults;
}

// A string default as scdoc source writes it.
std::string as_written(const std::string& text) {
  if (text.empty()) return "empty";
  std::string out;
  for (const char c : text) out += c == '\n' ? std::string("\\\\n") : std::string(1, c);
  return out;
}

// A version as the page writes it: quoted, as YAML needs it ("1.2").
std::string fmt_quoted(const char* text) {
  return std::string("\"") + text + "\"";
}

Defaults in_code() {
  const LogOptions log;
  const Limits limits;
  const Listener listener;
  const EchoOptions echo;
  const ChatOptions chat;
  const HttpOptions http;
  const TlsOptions tls;
  return {
      {"LOG.level", to_string(log.level)},
      {"LOG.target", to_string(log.target)},
      {"LIMITS.max_connections", std::to_string(limits.max_connections)},
      {"LIMITS.idle_timeout", format_duration(limits.idle_timeout)},
      {"LIMITS.read_timeout", format_duration(limits.read_timeout)},
      {"LIMITS.shutdown_timeout", format_duration(limits.shutdown_timeout)},
      {"LIMITS.max_outbox", format_size(limits.max_outbox)},
      {"LIMITS.log_connections", limits.log_connections ? "true" : "false"},
      {"GUARDS.allow", limits.guards.allow.empty() ? "empty" : "?"},
      {"GUARDS.deny", limits.guards.deny.empty() ? "empty" : "?"},
      {"GUARDS.max_connections_per_source",
       limits.guards.max_connections_per_source == 0
           ? "unlimited"
           : std::to_string(limits.guards.max_connections_per_source)},
      {"GUARDS.source_prefix_v6", std::to_string(limits.guards.source_prefix_v6)},
      {"LISTENERS.workers", std::to_string(listener.workers)},
      {"ECHO.mode", to_string(echo.mode)},
      {"ECHO.prefix", as_written(echo.prefix)},
      {"ECHO.max_line", format_size(echo.max_line)},
      {"CHAT.max_line", format_size(chat.max_line)},
      {"CHAT.rate", format_rate(chat.flood.rate)},
      {"CHAT.burst", std::to_string(chat.flood.burst)},
      {"CHAT.history", std::to_string(chat.history)},
      {"CHAT.presence_ttl", format_duration(chat.presence_ttl)},
      {"CHAT.bus_outage", format_duration(chat.bus_outage)},
      {"CHAT.bus_queue", std::to_string(chat.bus_queue)},
      {"CHAT.bus_timeout", format_duration(chat.bus_timeout)},
      {"HTTP.body", as_written(http.body)},
      {"HTTP.content_type", as_written(http.content_type)},
      {"HTTP.index", as_written(http.index)},
      {"HTTP.max_header", format_size(http.max_header)},
      {"HTTP.max_body", format_size(http.max_body)},
      {"HTTP.header_timeout", format_duration(http.header_timeout)},
      {"HTTP.keepalive_timeout", format_duration(http.keepalive_timeout)},
      {"HTTP.access_log", http.access_log ? "true" : "false"},
      {"HTTP.status", http.status ? "true" : "false"},
      {"TLS.min_version", fmt_quoted(to_string(tls.min_version))},
      {"TLS.ciphers", as_written(tls.ciphers)},
      {"TLS.ciphersuites", as_written(tls.ciphersuites)},
      {"TLS.verify_client", to_string(tls.verify_client)},
      {"TLS.handshake_timeout", format_duration(tls.handshake_timeout)},
  };
}

TEST(DocumentedDefaults, AreTheCodes) {
  const Defaults page = documented(NETCOOK_YAML_MAN_PAGE);
  const Defaults code = in_code();
  for (const auto& [key, value] : code) {
    const auto found = page.find(key);
    if (found == page.end())
      ADD_FAILURE() << key << ": the page states no default; the code's is " << value;
    else
      EXPECT_EQ(found->second, value) << key << ": the page says one thing, the code another";
  }
  for (const auto& [key, value] : page)
    EXPECT_TRUE(code.contains(key))
        << key << " (default " << value << ") is documented but not checked here";
}

}  // namespace
}  // namespace netcook::config
