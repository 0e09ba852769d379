#pragma once

// The keys of `chat:` that make a room shared by several daemons through
// Redis (room, bus, bus_password_file, presence_ttl, bus_outage, bus_queue,
// bus_timeout) and the room's history, read after the section's other keys.

#include "config/config.hpp"
#include "config/section.hpp"

#include <array>
#include <string_view>

namespace netcook::config {

inline constexpr std::array<std::string_view, 8> kChatBusKeys{
    "room",         "history",    "bus",       "bus_password_file",
    "presence_ttl", "bus_outage", "bus_queue", "bus_timeout"};

// Overwrites the fields of `chat` whose keys `section` holds; invalid
// values are reported and leave the field as it was. A key that only a bus
// uses, given without `bus:`, is an error. `room` left unset stays empty
// (read_listener() then names the room after the listener).
void read_chat_bus(const Section& section, ChatOptions& chat, Diagnostics& diagnostics);

// Whether `room` is a valid room name: 1-64 of A-Z a-z 0-9 . _ -.
bool is_valid_room(std::string_view room);

}  // namespace netcook::config
