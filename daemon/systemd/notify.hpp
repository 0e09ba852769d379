#pragma once

// sd_notify(3) messages to the service manager. Every call is a no-op when
// the daemon was not started by systemd ($NOTIFY_SOCKET unset).

#include <chrono>
#include <optional>
#include <string_view>

namespace netcook::systemd {

// READY=1: every listener accepts.
void notify_ready() noexcept;
// RELOADING=1 with MONOTONIC_USEC (needed by Type=notify-reload, harmless
// before systemd 253).
void notify_reloading() noexcept;
// STOPPING=1.
void notify_stopping() noexcept;
// EXTEND_TIMEOUT_USEC=: the current state (here: stopping) may take
// `extra` longer than its timeout; re-sent before it lapses.
void notify_extend_timeout(std::chrono::microseconds extra) noexcept;
// WATCHDOG=1.
void notify_watchdog() noexcept;

// The watchdog period from $WATCHDOG_USEC (and $WATCHDOG_PID, if set, is
// this process), or nullopt when the watchdog is off. Unsets both so that
// no child process believes it is watched: call once, before forking.
std::optional<std::chrono::microseconds> take_watchdog_period() noexcept;
// STATUS=<line>.
void notify_status(std::string_view status) noexcept;

}  // namespace netcook::systemd
