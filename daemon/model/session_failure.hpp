#pragma once

// How a reactor model reports a session that threw: the connection ends
// (the caller sees to that) and the log says why, with the peer's PEER=.

#include "proto/service.hpp"

#include <string_view>

#include <spdlog/logger.h>

namespace netcook::model {

// Logs the exception being handled as the reason connection `id` from
// `peer` ended. Call only from inside a catch block.
void log_session_failure(spdlog::logger& log, proto::ConnectionId id,
                         std::string_view peer) noexcept;

}  // namespace netcook::model
