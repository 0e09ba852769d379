#pragma once

// A listener's name is also its systemd FileDescriptorName=, and appears in
// log fields and chat lines, so it is kept to a safe, short alphabet.

#include <string_view>

namespace netcook::config {

// 1-32 characters of [a-z0-9_-].
bool is_valid_listener_name(std::string_view name);

}  // namespace netcook::config
