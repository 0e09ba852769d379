#pragma once

// Checks across listeners: every name unique, no two addresses that cannot
// both be bound. Each problem is reported at the later listener, naming the
// earlier one.

#include "config/listener_reader.hpp"

#include <vector>

namespace netcook::config {

void check_listeners(const std::vector<ListenerDraft>& drafts,
                     Diagnostics& diagnostics);

}  // namespace netcook::config
