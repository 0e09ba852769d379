#pragma once

// The figures of one process, read from /proc: what Prometheus clients
// call the "process" collector. A status listener may be served by a
// thread of the main process, by the fork master or by a connection
// process, so the pid is named (Figures::main_pid) and never assumed to
// be the caller's. A figure that cannot be read (the process is gone,
// /proc is hidden) is absent rather than made up.

#include <cstdint>
#include <optional>
#include <string_view>

#include <sys/types.h>

namespace netcook::metrics {

struct ProcessFigures {
  std::optional<std::uint64_t> cpu_ticks;       // utime + stime
  std::optional<double> cpu_seconds;            // cpu_ticks / clock ticks per second
  std::optional<double> start_time;             // seconds since the epoch
  std::optional<std::uint64_t> resident_bytes;  // resident set size
  std::optional<std::uint64_t> open_fds;        // entries of /proc/PID/fd
  std::optional<std::uint64_t> max_fds;         // RLIMIT_NOFILE, soft
};

// Reads /proc/PID/{stat,statm,fd,limits} and /proc/stat's btime.
ProcessFigures read_process(pid_t pid);

// The parts of read_process() that only read text, for tests.
struct StatFields {
  std::uint64_t utime = 0, stime = 0, starttime = 0;  // clock ticks
};
// /proc/PID/stat: the fields after the command name, which is in
// parentheses and may itself hold spaces and parentheses.
std::optional<StatFields> parse_stat(std::string_view text) noexcept;
// /proc/stat's "btime N" line: the boot time, seconds since the epoch.
std::optional<std::uint64_t> parse_boot_time(std::string_view text) noexcept;
// /proc/PID/statm's second field: resident pages.
std::optional<std::uint64_t> parse_resident_pages(std::string_view text) noexcept;
// /proc/PID/limits' "Max open files" soft limit; none for "unlimited".
std::optional<std::uint64_t> parse_max_open_files(std::string_view text) noexcept;

}  // namespace netcook::metrics
