#pragma once

// The per-protocol sections of a listener: `echo:` and `chat:`; `http:` is
// reserved for its protocol's options, which do not exist yet.

#include "config/config.hpp"
#include "config/section.hpp"

#include <string_view>

namespace netcook::config {

// Reads `echo:` into `echo`; `listener` names the listener in messages
// ("listener 'x'").
void read_echo_section(const Entry& entry, std::string_view listener,
                       EchoOptions& echo, Diagnostics& diagnostics);

// Reads `chat:` into `chat`, whose max_outbox and max_members already hold
// the listener's limits as defaults.
void read_chat_section(const Entry& entry, std::string_view listener,
                       ChatOptions& chat, Diagnostics& diagnostics);

// `http:`: must be a mapping, and every key in it is reported as
// unknown, so that no option is silently ignored before it exists.
void read_reserved_section(const Entry& entry, std::string_view listener,
                           Diagnostics& diagnostics);

}  // namespace netcook::config
