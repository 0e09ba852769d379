#pragma once

// The per-protocol sections of a listener: `echo:` now; `chat:` and `http:`
// are reserved for their protocols' options, which do not exist yet.

#include "config/config.hpp"
#include "config/section.hpp"

#include <string_view>

namespace netcook::config {

// Reads `echo:` into `echo`; `listener` names the listener in messages
// ("listener 'x'").
void read_echo_section(const Entry& entry, std::string_view listener,
                       EchoOptions& echo, Diagnostics& diagnostics);

// `chat:` or `http:`: must be a mapping, and every key in it is reported as
// unknown, so that no option is silently ignored before it exists.
void read_reserved_section(const Entry& entry, std::string_view listener,
                           Diagnostics& diagnostics);

}  // namespace netcook::config
