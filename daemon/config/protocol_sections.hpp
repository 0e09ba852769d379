#pragma once

// The per-protocol sections of a listener: `echo:`, `chat:` and `http:`.

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

// Reads `http:` into `http`: a fixed body or a root directory (which must
// exist), sizes and timeouts.
void read_http_section(const Entry& entry, std::string_view listener,
                       HttpOptions& http, Diagnostics& diagnostics);

}  // namespace netcook::config
