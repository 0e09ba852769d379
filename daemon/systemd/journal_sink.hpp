#pragma once

// A spdlog sink that writes to the systemd journal with sd_journal_sendv():
// MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=netcookd, TID, CODE_* where known,
// and LISTENER= for messages from a listener's logger (the logger's name),
// so `journalctl -u netcookd LISTENER=web` shows one listener.

#include <memory>

#include <spdlog/sinks/sink.h>

namespace netcook::systemd {

std::shared_ptr<spdlog::sinks::sink> make_journal_sink();

// Whether stderr is connected to the journal ($JOURNAL_STREAM names
// stderr's device and inode), as under a systemd service.
bool stderr_is_journal() noexcept;

}  // namespace netcook::systemd
