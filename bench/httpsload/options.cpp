#include "httpsload/options.hpp"

#include "echoload/usage_error.hpp"

#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace netcook::bench::https {

namespace {

constexpr unsigned kMaxConnections = 1000; // a thread each

double parse_seconds(std::string_view name, const char* text, double min, double max)
{
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(value >= min && value <= max))
        throw UsageError(std::string(name) + ": want seconds from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", got '" + text + "'");
    return value;
}

unsigned parse_count(std::string_view name, const char* text, unsigned max)
{
    char* end = nullptr;
    errno = 0;
    const unsigned long value = std::strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 1 || value > max)
        throw UsageError(std::string(name) + ": want 1 to " + std::to_string(max) + ", got '" + text + "'");
    return static_cast<unsigned>(value);
}

} // namespace

Options parse_options(int argc, char** argv)
{
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            options.help = true;
            return options;
        }
        if (arg == "--json") {
            options.json = true;
            continue;
        }
        if (i + 1 >= argc)
            throw UsageError(std::string(arg) + ": unknown option or missing value");
        const char* value = argv[++i];
        if (arg == "-a" || arg == "--address")
            options.address = value;
        else if (arg == "-c" || arg == "--connections")
            options.connections = parse_count(arg, value, kMaxConnections);
        else if (arg == "-d" || arg == "--duration")
            options.duration_s = parse_seconds(arg, value, 0.1, 3600);
        else if (arg == "--warmup")
            options.warmup_s = parse_seconds(arg, value, 0, 600);
        else if (arg == "--timeout")
            options.timeout_s = parse_seconds(arg, value, 0.1, 600);
        else if (arg == "--path")
            options.path = value;
        else if (arg == "--cacert")
            options.cacert = value;
        else
            throw UsageError(std::string(arg) + ": unknown option");
    }
    if (options.address.empty())
        throw UsageError("-a ADDRESS is required");
    if (options.path.empty() || options.path.front() != '/' ||
        options.path.find_first_of(" \r\n") != std::string::npos)
        throw UsageError("--path: want an absolute path without spaces, got '" + options.path + "'");
    return options;
}

const char* usage_text() noexcept
{
    return "usage: netcook-httpsload -a 127.0.0.1:PORT [options]\n"
           "\n"
           "New HTTPS connections as fast as the server takes them: each client\n"
           "connects, does a full TLS 1.3 handshake (ECDHE P-256, no session\n"
           "resumption ever offered), sends one GET with Connection: close, reads\n"
           "the response to the server's close, and starts over.\n"
           "\n"
           "  -a, --address ADDR      127.x.x.x:PORT or [::1]:PORT (loopback only)\n"
           "  -c, --connections N     clients, one connection each at a time (default 8)\n"
           "  -d, --duration SEC      measured window (default 5)\n"
           "      --warmup SEC        connections before it, not counted (default 1)\n"
           "      --timeout SEC       bound on each connect, read and write (default 10)\n"
           "      --path PATH         what to GET (default /)\n"
           "      --cacert PEM        verify the server's certificate (for 127.0.0.1)\n"
           "      --json              one JSON object instead of the line\n"
           "\n"
           "Exit status: 0 when every connection was served a 200 over a fresh\n"
           "TLS 1.3 handshake, 1 otherwise, 2 on a usage error.\n";
}

} // namespace netcook::bench::https
