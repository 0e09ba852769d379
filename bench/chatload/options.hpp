#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace netcook::chatload {

/// How clients enter the room: netcookd and the Python server want a name
/// line first; ncat --chat wants nothing and names clients <userN> itself.
enum class Handshake { names, none };

/// Everything the command line says, validated and with defaults filled in.
struct Options {
    // As typed, parsed by bench::Target; -a may be repeated: client i
    // connects to addresses[i % size], so a room served by several daemons
    // gets its members dealt out between them.
    std::vector<std::string> addresses;
    unsigned clients = 10;       // connections, all of them receivers
    unsigned senders = 0;        // 0 until parsed: then 1..clients (default all)
    double rate = 0;             // lines/s over all senders; 0 means as fast as the window allows
    unsigned window = 0;         // lines per sender sent but not yet delivered to every other client
    Handshake handshake = Handshake::none;
    double duration_s = 5.0;     // measured window
    double warmup_s = 1.0;       // sending before the window, not measured (but checked)
    double drain_s = 3.0;        // after sending stops: longest pause in arrivals before giving up
    double timeout_s = 10.0;     // connecting and joining, all clients together
    unsigned threads = 1;
    std::vector<pid_t> server_pids;
    bool json = false;
    bool help = false;

    [[nodiscard]] bool saturate() const noexcept { return rate == 0; }
};

/// Parses argv; throws bench::UsageError with a message fit for the user.
[[nodiscard]] Options parse_args(int argc, char** argv);

[[nodiscard]] const char* usage_text() noexcept;

} // namespace netcook::chatload
