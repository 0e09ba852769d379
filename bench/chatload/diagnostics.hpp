#pragma once

namespace netcook::chatload {

/// Prints one line to stderr explaining a problem (which client, which
/// sender, which line, which errno). At most a few dozen per run across all
/// threads: stdout carries the result, and a broken server must not bury it
/// under a million identical complaints. Thread-safe.
void complain(const char* format, ...) noexcept __attribute__((format(printf, 1, 2)));

} // namespace netcook::chatload
