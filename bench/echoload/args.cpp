#include "args.hpp"

#include "usage_error.hpp"

#include <getopt.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

namespace netcook::bench {

namespace {

constexpr std::size_t kMaxSize = std::size_t{64} << 20;
constexpr unsigned kMaxConnections = 1'000'000;
constexpr unsigned kMaxThreads = 256;
constexpr unsigned kMaxCheckEvery = 1u << 20;
// Every run must stop by itself, so the duration has a ceiling too.
constexpr double kMaxDuration = 3600.0;
constexpr std::size_t kDefaultInFlight = std::size_t{1} << 20;

[[noreturn]] void bad_value(std::string_view option, std::string_view value, std::string_view why)
{
    throw UsageError("invalid value '" + std::string(value) + "' for " + std::string(option) + ": " +
                     std::string(why));
}

unsigned long long parse_unsigned(std::string_view option, std::string_view text)
{
    unsigned long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
        bad_value(option, text, "expected a non-negative integer");
    return value;
}

unsigned parse_count(std::string_view option, std::string_view text, unsigned max)
{
    const auto value = parse_unsigned(option, text);
    if (value < 1 || value > max)
        bad_value(option, text, "must be between 1 and " + std::to_string(max));
    return static_cast<unsigned>(value);
}

/// Bytes, with an optional binary suffix: 16k = 16384, 1m = 1048576.
std::size_t parse_bytes(std::string_view option, std::string_view text)
{
    unsigned long long multiplier = 1;
    if (!text.empty()) {
        switch (text.back()) {
        case 'k': case 'K': multiplier = 1024; break;
        case 'm': case 'M': multiplier = 1ULL << 20; break;
        default: break;
        }
        if (multiplier != 1)
            text.remove_suffix(1);
    }
    const auto value = parse_unsigned(option, text);
    if (value < 1 || value > kMaxSize / multiplier)
        bad_value(option, text, "must be between 1 byte and 64M");
    return static_cast<std::size_t>(value * multiplier);
}

double parse_seconds(std::string_view option, std::string_view text, double min, double max)
{
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || !std::isfinite(value))
        bad_value(option, text, "expected a number of seconds");
    if (value < min || value > max)
        bad_value(option, text, "out of range");
    return value;
}

void parse_pids(std::string_view text, std::vector<pid_t>& pids)
{
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto item = text.substr(0, comma);
        const auto pid = parse_unsigned("--server-pid", item);
        if (pid < 1 || pid > 4'194'304)
            bad_value("--server-pid", item, "not a process id");
        pids.push_back(static_cast<pid_t>(pid));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
}

Mode parse_mode(std::string_view text)
{
    if (text == "pingpong")
        return Mode::pingpong;
    if (text == "stream")
        return Mode::stream;
    if (text == "connect")
        return Mode::connect;
    if (text == "refused")
        return Mode::refused;
    throw UsageError("unknown mode '" + std::string(text) + "' (expected pingpong, stream, connect or refused)");
}

enum LongOnly : int { kWarmup = 256, kThreads, kServerPid, kJson, kTimeout, kInFlight, kCheckEvery };

constexpr option kLongOptions[] = {
    {"addr", required_argument, nullptr, 'a'},
    {"conns", required_argument, nullptr, 'c'},
    {"size", required_argument, nullptr, 's'},
    {"duration", required_argument, nullptr, 'd'},
    {"warmup", required_argument, nullptr, kWarmup},
    {"threads", required_argument, nullptr, kThreads},
    {"server-pid", required_argument, nullptr, kServerPid},
    {"json", no_argument, nullptr, kJson},
    {"timeout", required_argument, nullptr, kTimeout},
    {"inflight", required_argument, nullptr, kInFlight},
    {"check-every", required_argument, nullptr, kCheckEvery},
    {"help", no_argument, nullptr, 'h'},
    {nullptr, 0, nullptr, 0},
};

} // namespace

const char* mode_name(Mode mode) noexcept
{
    switch (mode) {
    case Mode::pingpong: return "pingpong";
    case Mode::stream: return "stream";
    case Mode::connect: return "connect";
    case Mode::refused: return "refused";
    }
    return "?";
}

Options parse_args(int argc, char** argv)
{
    Options options;
    bool size_given = false;
    opterr = 0; // we report errors ourselves, as UsageError
    optind = 1;
    for (;;) {
        const int c = getopt_long(argc, argv, ":a:c:s:d:h", kLongOptions, nullptr);
        if (c == -1)
            break;
        const std::string_view arg = optarg != nullptr ? optarg : "";
        switch (c) {
        case 'a': options.address = arg; break;
        case 'c': options.connections = parse_count("-c", arg, kMaxConnections); break;
        case 's': options.size = parse_bytes("-s", arg); size_given = true; break;
        case 'd': options.duration_s = parse_seconds("-d", arg, 0.001, kMaxDuration); break;
        case kWarmup: options.warmup_s = parse_seconds("--warmup", arg, 0.0, kMaxDuration); break;
        case kThreads: options.threads = parse_count("--threads", arg, kMaxThreads); break;
        case kServerPid: parse_pids(arg, options.server_pids); break;
        case kJson: options.json = true; break;
        case kTimeout: options.timeout_s = parse_seconds("--timeout", arg, 0.001, kMaxDuration); break;
        case kInFlight: options.max_in_flight = parse_bytes("--inflight", arg); break;
        case kCheckEvery: options.check_every = parse_count("--check-every", arg, kMaxCheckEvery); break;
        case 'h': options.help = true; return options;
        case ':': throw UsageError(std::string("option ") + argv[optind - 1] + " needs a value");
        default: throw UsageError(std::string("unknown option ") + argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        throw UsageError("expected exactly one mode: pingpong, stream, connect or refused");
    options.mode = parse_mode(argv[optind]);
    if (options.address.empty())
        throw UsageError("missing target: -a 127.0.0.1:PORT, -a [::1]:PORT or -a unix:/path");
    if (options.threads > options.connections)
        throw UsageError("--threads must not exceed -c (each thread needs a connection)");
    if (options.mode == Mode::stream) {
        if (!size_given)
            options.size = 16384;
        if (options.max_in_flight == 0)
            options.max_in_flight = std::max(kDefaultInFlight, options.size);
        if (options.max_in_flight < options.size)
            throw UsageError("--inflight must be at least the chunk size -s");
    }
    return options;
}

const char* usage_text() noexcept
{
    return "usage: netcook-echoload MODE -a ADDR [options]\n"
           "\n"
           "Load generator for an RFC 862 echo server on loopback or a unix socket.\n"
           "\n"
           "modes:\n"
           "  pingpong   each connection sends one message, waits for the whole echo, repeats\n"
           "  stream     each connection writes and reads back continuously\n"
           "  connect    open, send, read the echo, close; repeated\n"
           "  refused    open, send nothing, wait for the server to close it, close; repeated\n"
           "             (a listener that refuses: netcookd's deny, per-source or rate guards)\n"
           "\n"
           "options:\n"
           "  -a, --addr ADDR       127.x.x.x:PORT, [::1]:PORT, unix:/path or unix:@abstract\n"
           "  -c, --conns N         connections (connect, refused: in flight), default 1\n"
           "  -s, --size SIZE       bytes per message/chunk, k/m suffixes (default 64, stream 16k;\n"
           "                        refused sends none)\n"
           "  -d, --duration SEC    measured window, default 5\n"
           "      --warmup SEC      run before the window, not counted, default 1\n"
           "      --threads N       load threads, each with its own epoll, default 1\n"
           "      --timeout SEC     connect / echo / stall / refusal timeout, counted as error, default 3\n"
           "      --inflight SIZE   stream: most bytes sent but not yet echoed, default 1m\n"
           "      --check-every N   stream: compare one echoed chunk in N; the others are\n"
           "                        received with MSG_TRUNC (not copied), default 1 (all)\n"
           "      --server-pid PID  report the CPU used by PID's threads (repeat or a,b,c)\n"
           "      --json            print one JSON object instead of the line\n"
           "  -h, --help            this text\n"
           "\n"
           "exit status: 0 ok, 1 mismatch or error, 2 usage error\n";
}

} // namespace netcook::bench
