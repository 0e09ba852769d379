#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace netcook::bench {

enum class Mode { pingpong, stream, connect, refused };

[[nodiscard]] const char* mode_name(Mode mode) noexcept;

/// Everything the command line says, validated and with defaults filled in.
struct Options {
    Mode mode = Mode::pingpong;
    std::string address;          // as typed; parsed by Target
    unsigned connections = 1;     // pingpong/stream: connections; connect, refused: in flight
    std::size_t size = 64;        // message / chunk / per-connection payload
    double duration_s = 5.0;      // measured window
    double warmup_s = 1.0;        // run before the window, not counted
    double timeout_s = 3.0;       // per connect, per echo, per stall
    std::size_t max_in_flight = 0; // stream: sent-but-not-echoed bytes per connection
    unsigned check_every = 1;      // stream: compare one echoed chunk in this many
    unsigned threads = 1;
    std::vector<pid_t> server_pids;
    bool json = false;
    bool help = false;
};

/// Parses argv; throws UsageError with a message fit for the user.
[[nodiscard]] Options parse_args(int argc, char** argv);

[[nodiscard]] const char* usage_text() noexcept;

} // namespace netcook::bench
