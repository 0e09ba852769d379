#pragma once

// sd_notify(3) messages to the service manager. Every call is a no-op when
// the daemon was not started by systemd ($NOTIFY_SOCKET unset).

#include <string_view>

namespace netcook::systemd {

// READY=1: every listener accepts.
void notify_ready() noexcept;
// RELOADING=1 with MONOTONIC_USEC (needed by Type=notify-reload, harmless
// before systemd 253).
void notify_reloading() noexcept;
// STOPPING=1.
void notify_stopping() noexcept;
// STATUS=<line>.
void notify_status(std::string_view status) noexcept;

}  // namespace netcook::systemd
