#include "config_text.hpp"

namespace netcook::test {

std::string yaml_quote(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
    }
    quoted += c;
  }
  return quoted + "\"";
}

std::string make_config(const std::vector<EchoListener>& listeners,
                        const std::vector<std::string>& defaults) {
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
  text += "listeners:\n";
  for (const auto& listener : listeners) {
    text += "  - name: " + listener.name + "\n";
    text += "    protocol: echo\n";
    text += "    model: " + listener.model + "\n";
    text += "    listen: " + listener.listen + "\n";
    text += "    echo:\n";
    text += "      mode: " + listener.mode + "\n";
    if (!listener.prefix.empty()) {
      text += "      prefix: " + yaml_quote(listener.prefix) + "\n";
    }
    if (!listener.max_line.empty()) {
      text += "      max_line: " + listener.max_line + "\n";
    }
  }
  return text;
}

}  // namespace netcook::test
