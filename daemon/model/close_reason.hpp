#pragma once

// The connection core decides why a connection ends (connection_core.hpp);
// the words for it live with the counts kept by reason (metrics/).

#include "metrics/close_reason.hpp"

namespace netcook::model {

using metrics::CloseReason;
using metrics::kCloseReasons;
using metrics::to_string;

}  // namespace netcook::model
