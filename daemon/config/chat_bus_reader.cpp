#include "config/chat_bus_reader.hpp"

#include "config/bus_password.hpp"
#include "config/bus_url.hpp"
#include "config/credentials.hpp"
#include "config/values.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace netcook::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::size_t kMaxRoom = 64;
constexpr std::int64_t kMaxHistory = 1000;
constexpr std::int64_t kMaxBusQueue = 1'000'000;
// Keys that mean nothing without a bus: written alone, they say the writer
// expects a shared room that is not there.
constexpr std::array<std::string_view, 5> kBusOnlyKeys{"bus_password_file", "presence_ttl",
                                                       "bus_outage", "bus_queue", "bus_timeout"};

void read_room(const Entry& entry, ChatOptions& chat, Diagnostics& diagnostics) {
  auto room = read_scalar(entry, diagnostics);
  if (!room) return;
  if (!is_valid_room(*room))
    return report_invalid(entry, "use 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'",
                          diagnostics);
  chat.room = std::move(*room);
}

void read_bus(const Entry& entry, ChatOptions& chat, Diagnostics& diagnostics) {
  auto text = read_scalar(entry, diagnostics);
  if (!text) return;
  BusUrlError error;
  auto bus = parse_bus_url(*text, error);
  if (bus) {
    chat.bus = std::move(*bus);
  } else if (error.secret) {
    // Not report_invalid(): it would quote the password back.
    diagnostics.error(entry.value.Mark(), fmt::format("invalid value for 'bus': {}", error.reason));
  } else {
    report_invalid(entry, error.reason, diagnostics);
  }
}

// A credential's name (relative) or an absolute path; checked as the
// daemon will read it (bus_password.hpp).
void read_password_file(const Entry& entry, ChatOptions& chat, Diagnostics& diagnostics) {
  auto file = read_scalar(entry, diagnostics);
  if (!file) return;
  if (auto problem = credential_name_problem(*file))
    return report_invalid(entry, *problem, diagnostics);
  if (auto problem = bus_password_file_problem(*file))
    return report_invalid(entry, *problem, diagnostics);
  chat.bus_password_file = std::move(*file);
}

void read_count(const Section& section, std::string_view key, std::int64_t min, std::int64_t max,
                std::size_t& field, Diagnostics& diagnostics) {
  if (const auto* entry = section.find(key))
    if (auto value = read_integer(*entry, min, max, diagnostics))
      field = static_cast<std::size_t>(*value);
}

void read_time(const Section& section, std::string_view key, Duration min, Duration max,
               Duration& field, Diagnostics& diagnostics) {
  if (const auto* entry = section.find(key))
    if (auto value = read_duration(*entry, min, max, diagnostics)) field = *value;
}

}  // namespace

bool is_valid_room(std::string_view room) {
  return !room.empty() && room.size() <= kMaxRoom &&
         std::all_of(room.begin(), room.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

void read_chat_bus(const Section& section, ChatOptions& chat, Diagnostics& diagnostics) {
  if (const auto* room = section.find("room")) read_room(*room, chat, diagnostics);
  read_count(section, "history", 0, kMaxHistory, chat.history, diagnostics);
  const auto* bus = section.find("bus");
  if (bus == nullptr) {
    for (const auto key : kBusOnlyKeys)
      if (const auto* entry = section.find(key))
        diagnostics.error(entry->key_node.Mark(),
                          fmt::format("'{}' applies only to a room shared through 'bus', which "
                                      "this section does not set",
                                      key));
    return;
  }
  read_bus(*bus, chat, diagnostics);
  if (const auto* file = section.find("bus_password_file"))
    read_password_file(*file, chat, diagnostics);
  read_time(section, "presence_ttl", seconds(3), minutes(10), chat.presence_ttl, diagnostics);
  read_time(section, "bus_outage", Duration(0), hours(1), chat.bus_outage, diagnostics);
  read_count(section, "bus_queue", 1, kMaxBusQueue, chat.bus_queue, diagnostics);
  read_time(section, "bus_timeout", milliseconds(100), minutes(1), chat.bus_timeout, diagnostics);
}

}  // namespace netcook::config
