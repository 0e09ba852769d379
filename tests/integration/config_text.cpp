#include "config_text.hpp"

#include <utility>

namespace netcook::test {

namespace {

// The log section, the defaults and the `listeners:` key.
std::string config_head(const std::vector<std::string>& defaults) {
  std::string text =
      "log:\n"
      "  level: debug\n"
      "  target: stderr\n";
  if (!defaults.empty()) {
    text += "defaults:\n";
    for (const auto& line : defaults) {
      text += "  " + line + "\n";
    }
  }
  return text + "listeners:\n";
}

std::string echo_listener_text(const EchoListener& listener) {
  std::string text = "  - name: " + listener.name + "\n";
  text += "    protocol: echo\n";
  text += "    model: " + listener.model + "\n";
  text += "    listen: " + listener.listen + "\n";
  if (listener.workers != 0) {
    text += "    workers: " + std::to_string(listener.workers) + "\n";
  }
  text += "    echo:\n";
  text += "      mode: " + listener.mode + "\n";
  if (!listener.prefix.empty()) {
    text += "      prefix: " + yaml_quote(listener.prefix) + "\n";
  }
  if (!listener.max_line.empty()) {
    text += "      max_line: " + listener.max_line + "\n";
  }
  return text;
}

std::string chat_listener_text(const ChatListener& listener) {
  std::string text = "  - name: " + listener.name + "\n";
  text += "    protocol: chat\n";
  text += "    model: " + listener.model + "\n";
  text += "    listen: " + yaml_quote(listener.listen) + "\n";
  if (listener.workers != 0) {
    text += "    workers: " + std::to_string(listener.workers) + "\n";
  }
  std::string section;
  if (!listener.max_line.empty()) {
    section += "      max_line: " + listener.max_line + "\n";
  }
  if (!listener.max_outbox.empty()) {
    section += "      max_outbox: " + listener.max_outbox + "\n";
  }
  if (!listener.max_members.empty()) {
    section += "      max_members: " + listener.max_members + "\n";
  }
  if (!listener.rate.empty()) {
    section += "      rate: " + listener.rate + "\n";
  }
  if (!listener.burst.empty()) {
    section += "      burst: " + listener.burst + "\n";
  }
  if (!section.empty()) {
    text += "    chat:\n" + section;
  }
  return text;
}

std::string http_listener_text(const HttpListener& listener) {
  std::string text = "  - name: " + listener.name + "\n";
  text += "    protocol: http\n";
  text += "    model: " + listener.model + "\n";
  text += "    listen: " + yaml_quote(listener.listen) + "\n";
  if (listener.workers != 0) {
    text += "    workers: " + std::to_string(listener.workers) + "\n";
  }
  if (!listener.max_connections.empty()) {
    text += "    max_connections: " + listener.max_connections + "\n";
  }
  const std::pair<const char*, const std::string*> keys[] = {
      {"body", &listener.body},
      {"root", &listener.root},
      {"content_type", &listener.content_type},
      {"index", &listener.index},
      {"max_header", &listener.max_header},
      {"max_body", &listener.max_body},
      {"header_timeout", &listener.header_timeout},
      {"keepalive_timeout", &listener.keepalive_timeout},
      {"access_log", &listener.access_log},
  };
  std::string section;
  for (const auto& [key, value] : keys) {
    if (!value->empty()) {
      section += "      " + std::string(key) + ": " + yaml_quote(*value) + "\n";
    }
  }
  if (!section.empty()) {
    text += "    http:\n" + section;
  }
  return text;
}

}  // namespace

std::string yaml_quote(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (c == '\n') {
      quoted += "\\n";  // a raw line break would fold into a space
    } else if (c == '\t') {
      quoted += "\\t";
    } else if (c == '\r') {
      quoted += "\\r";
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

std::string make_config(const std::vector<EchoListener>& listeners,
                        const std::vector<std::string>& defaults) {
  std::string text = config_head(defaults);
  for (const auto& listener : listeners) {
    text += echo_listener_text(listener);
  }
  return text;
}

std::string make_chat_config(const std::vector<ChatListener>& chat,
                             const std::vector<std::string>& defaults,
                             const std::vector<EchoListener>& echo) {
  std::string text = config_head(defaults);
  for (const auto& listener : chat) {
    text += chat_listener_text(listener);
  }
  for (const auto& listener : echo) {
    text += echo_listener_text(listener);
  }
  return text;
}

std::string make_http_config(const std::vector<HttpListener>& http,
                             const std::vector<std::string>& defaults) {
  std::string text = config_head(defaults);
  for (const auto& listener : http) {
    text += http_listener_text(listener);
  }
  return text;
}

}  // namespace netcook::test
