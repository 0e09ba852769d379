#pragma once

// A spdlog sink that writes to the systemd journal with sd_journal_sendv().
// Every entry has MESSAGE, PRIORITY (from the level), SYSLOG_IDENTIFIER=
// netcookd (so `journalctl -t netcookd` works whatever the logger), TID,
// and CODE_FILE/CODE_LINE/CODE_FUNC when spdlog knows the call site. A
// listener's sink adds its fixed LISTENER=, PROTOCOL= and MODEL=, so
// `journalctl -u netcookd LISTENER=web` shows one listener; any sink adds
// PEER= while a log::PeerScope is open on the logging thread.
//
// A message of several lines arrives as one entry: sd_journal_sendv()
// sends a value containing a newline in the native protocol's binary form
// (name, newline, 64-bit little-endian length, bytes), never as text.
//
// Each sink instance is independent and takes no lock, so a process forked
// from the daemon (fork master, connection process) makes its own; making
// it first gives libsystemd back its journal socket if the process closed
// it (journal_socket.hpp). TID= is the kernel's id of the logging thread,
// read when the line is sent (spdlog's cached one is the parent's after a
// fork). A send the journal refuses goes to the logger's error handler,
// which reports it on stderr.

#include "log/fields.hpp"

#include <memory>

#include <spdlog/sinks/sink.h>

namespace netcook::systemd {

// `fields` are sent with every entry (empty ones are left out): the
// listener's for a listener's logger, none for the daemon's own loggers.
std::shared_ptr<spdlog::sinks::sink> make_journal_sink(const log::ListenerFields& fields = {});

// Whether stderr is connected to the journal ($JOURNAL_STREAM names
// stderr's device and inode), as under a systemd service.
bool stderr_is_journal() noexcept;

}  // namespace netcook::systemd
