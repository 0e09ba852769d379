#include "config/protocol_sections.hpp"

#include "config/prefix.hpp"
#include "config/values.hpp"

#include <fmt/format.h>

#include <array>

namespace netcook::config {
namespace {

constexpr std::array<std::string_view, 3> kEchoKeys{"mode", "prefix",
                                                    "max_line"};
constexpr std::array<std::string_view, 3> kChatKeys{"max_line", "max_outbox",
                                                    "max_members"};
constexpr std::size_t kMinLine = 16;
// A chat line crosses to the fork master in one packet, and sanitizing may
// triple it (each bad byte becomes U+FFFD).
constexpr std::size_t kMaxChatLine = 32 * 1024;
constexpr std::size_t kMinOutbox = 4 * 1024;
constexpr std::size_t kMaxOutbox = std::size_t{1} << 30;
constexpr std::size_t kMaxMembers = 1'000'000;
constexpr std::size_t kMaxLine = std::size_t{16} << 20;

std::string section_context(const Entry& entry, std::string_view listener) {
  return fmt::format("in section '{}' of {}", entry.key, listener);
}

}  // namespace

void read_echo_section(const Entry& entry, std::string_view listener,
                       EchoOptions& echo, Diagnostics& diagnostics) {
  if (!is_mapping(entry, diagnostics)) return;
  const auto section = read_section(entry.value, kEchoKeys,
                                    section_context(entry, listener),
                                    diagnostics);
  if (const auto* mode = section.find("mode"))
    if (auto value = read_enum(*mode, "echo mode", kEchoModeNames, diagnostics))
      echo.mode = *value;
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
    if (auto value = read_size(*max_line, kMinLine, kMaxLine, diagnostics))
      echo.max_line = *value;
}

void read_chat_section(const Entry& entry, std::string_view listener,
                       ChatOptions& chat, Diagnostics& diagnostics) {
  if (!is_mapping(entry, diagnostics)) return;
  const auto section = read_section(entry.value, kChatKeys,
                                    section_context(entry, listener),
                                    diagnostics);
  if (const auto* max_line = section.find("max_line"))
    if (auto value = read_size(*max_line, kMinLine, kMaxChatLine, diagnostics))
      chat.max_line = *value;
  if (const auto* max_outbox = section.find("max_outbox"))
    if (auto value = read_size(*max_outbox, kMinOutbox, kMaxOutbox, diagnostics))
      chat.max_outbox = *value;
  if (const auto* max_members = section.find("max_members"))
    if (auto value = read_integer(*max_members, 1, kMaxMembers, diagnostics))
      chat.max_members = static_cast<std::size_t>(*value);
}

void read_reserved_section(const Entry& entry, std::string_view listener,
                           Diagnostics& diagnostics) {
  if (!is_mapping(entry, diagnostics)) return;
  read_section(entry.value, {}, section_context(entry, listener), diagnostics);
}

}  // namespace netcook::config
