#pragma once

#include <string>

namespace netcook::bench::https {

/// What one httpsload run does; see usage_text().
struct Options {
    std::string address;       // 127.x.x.x:PORT or [::1]:PORT
    std::string path = "/";    // the one GET each connection sends
    std::string cacert;        // PEM the server's certificate must chain to; empty: not verified
    unsigned connections = 8;  // clients, each a thread with one connection at a time
    double duration_s = 5;     // measured window
    double warmup_s = 1;       // connections before it, not counted
    double timeout_s = 10;     // connect, handshake, response: each socket operation
    bool json = false;
    bool help = false;
};

/// Throws UsageError on a bad command line.
[[nodiscard]] Options parse_options(int argc, char** argv);

[[nodiscard]] const char* usage_text() noexcept;

} // namespace netcook::bench::https
