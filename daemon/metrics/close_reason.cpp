#include "metrics/close_reason.hpp"

#include <array>

namespace netcook::metrics {
namespace {

// In the order of the enumerators.
constexpr std::array<std::string_view, kCloseReasons> kNames = {
    "peer_closed",   "peer_reset",      "session_closed", "idle_timeout",
    "read_timeout",  "outbox_overflow", "shutdown",       "listener_removed",
    "session_error", "io_error",        "full",           "unserved",
    "denied",        "per_source",      "rate",           "proxy_header",
    "tls_handshake",
};

}  // namespace

std::string_view to_string(CloseReason reason) noexcept {
  const auto index = static_cast<std::size_t>(reason);
  return index < kNames.size() ? kNames[index] : "unknown";
}

}  // namespace netcook::metrics
