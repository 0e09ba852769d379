#pragma once

namespace netcook::bench {

/// Prints one line to stderr explaining a failure (which connection, which
/// offset, which errno). Limited to a few dozen lines per run across all
/// threads: stdout carries the result, and a broken server must not bury it
/// under a million identical complaints. Thread-safe.
void complain(const char* format, ...) noexcept __attribute__((format(printf, 1, 2)));

} // namespace netcook::bench
