#include "options.hpp"

#include "echoload/usage_error.hpp"

#include <getopt.h>

#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

namespace netcook::chatload {

namespace {

using bench::UsageError;

constexpr unsigned kMaxClients = 100'000;
constexpr unsigned kMaxThreads = 64;
constexpr unsigned kMaxWindow = 1u << 16;
// Every client keeps the next line it expects from every sender (8 bytes a
// pair), every sender a ring of counters as long as its window (4 bytes each).
constexpr unsigned long long kMaxPairs = 10'000'000;
constexpr unsigned long long kMaxWindowSlots = 16'000'000;
constexpr double kMaxRate = 10'000'000.0;
// Every run must stop by itself, so every duration has a ceiling.
constexpr double kMaxSeconds = 3600.0;
// Saturation: a few lines per sender keep the server busy without letting
// lines pile up in buffers (which would measure buffers, not the server).
constexpr unsigned kSaturationWindow = 8;
// Fixed rate: the window only catches a server that cannot keep up.
constexpr unsigned kRateWindow = 1000;

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

unsigned parse_count(std::string_view option, std::string_view text, unsigned min, unsigned max)
{
    const auto value = parse_unsigned(option, text);
    if (value < min || value > max)
        bad_value(option, text, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return static_cast<unsigned>(value);
}

double parse_number(std::string_view option, std::string_view text, double min, double max)
{
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || !std::isfinite(value))
        bad_value(option, text, "expected a number");
    if (value < min || value > max)
        bad_value(option, text, "out of range");
    return value;
}

double parse_rate(std::string_view text)
{
    if (text == "max")
        return 0;
    return parse_number("--rate", text, 0.01, kMaxRate);
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

enum LongOnly : int { kRate = 256, kWindow, kNames, kWarmup, kDrain, kTimeout, kThreads, kServerPid, kJson };

constexpr option kLongOptions[] = {
    {"addr", required_argument, nullptr, 'a'},
    {"clients", required_argument, nullptr, 'c'},
    {"senders", required_argument, nullptr, 'S'},
    {"duration", required_argument, nullptr, 'd'},
    {"rate", required_argument, nullptr, kRate},
    {"window", required_argument, nullptr, kWindow},
    {"names", no_argument, nullptr, kNames},
    {"warmup", required_argument, nullptr, kWarmup},
    {"drain", required_argument, nullptr, kDrain},
    {"timeout", required_argument, nullptr, kTimeout},
    {"threads", required_argument, nullptr, kThreads},
    {"server-pid", required_argument, nullptr, kServerPid},
    {"json", no_argument, nullptr, kJson},
    {"help", no_argument, nullptr, 'h'},
    {nullptr, 0, nullptr, 0},
};

} // namespace

Options parse_args(int argc, char** argv)
{
    Options options;
    options.rate = 100;
    opterr = 0; // we report errors ourselves, as UsageError
    optind = 1;
    for (;;) {
        // getopt's global state is fine here: no other thread exists yet.
        const int c = getopt_long(argc, argv, ":a:c:S:d:h", kLongOptions, nullptr); // NOLINT(concurrency-mt-unsafe)
        if (c == -1)
            break;
        const std::string_view arg = optarg != nullptr ? optarg : "";
        switch (c) {
        case 'a': options.addresses.emplace_back(arg); break;
        case 'c': options.clients = parse_count("-c", arg, 2, kMaxClients); break;
        case 'S': options.senders = parse_count("-S", arg, 1, kMaxClients); break;
        case 'd': options.duration_s = parse_number("-d", arg, 0.001, kMaxSeconds); break;
        case kRate: options.rate = parse_rate(arg); break;
        case kWindow: options.window = parse_count("--window", arg, 1, kMaxWindow); break;
        case kNames: options.handshake = Handshake::names; break;
        case kWarmup: options.warmup_s = parse_number("--warmup", arg, 0.0, kMaxSeconds); break;
        case kDrain: options.drain_s = parse_number("--drain", arg, 0.0, kMaxSeconds); break;
        case kTimeout: options.timeout_s = parse_number("--timeout", arg, 0.001, kMaxSeconds); break;
        case kThreads: options.threads = parse_count("--threads", arg, 1, kMaxThreads); break;
        case kServerPid: parse_pids(arg, options.server_pids); break;
        case kJson: options.json = true; break;
        case 'h': options.help = true; return options;
        case ':': throw UsageError(std::string("option ") + argv[optind - 1] + " needs a value");
        default: throw UsageError(std::string("unknown option ") + argv[optind - 1]);
        }
    }
    if (optind != argc)
        throw UsageError(std::string("unexpected argument '") + argv[optind] + "'");
    if (options.addresses.empty())
        throw UsageError("missing target: -a 127.0.0.1:PORT, -a [::1]:PORT or -a unix:/path");
    if (options.addresses.size() > options.clients)
        throw UsageError("more -a addresses than clients (each address needs a client)");
    if (options.senders == 0)
        options.senders = options.clients;
    if (options.senders > options.clients)
        throw UsageError("-S must not exceed -c (every sender is one of the clients)");
    if (static_cast<unsigned long long>(options.clients) * options.senders > kMaxPairs)
        throw UsageError("-c x -S must not exceed 10 million (each client tracks each sender's order)");
    if (options.threads > options.clients)
        throw UsageError("--threads must not exceed -c (each thread needs a client)");
    if (options.window == 0)
        options.window = options.saturate() ? kSaturationWindow : kRateWindow;
    if (static_cast<unsigned long long>(options.senders) * options.window > kMaxWindowSlots)
        throw UsageError("-S x --window must not exceed 16 million");
    return options;
}

const char* usage_text() noexcept
{
    return "usage: netcook-chatload -a ADDR [options]\n"
           "\n"
           "Load generator for a line-based broadcast chat server on loopback or a unix\n"
           "socket: -c clients join one room, -S of them send timestamped lines, every\n"
           "client checks that it receives every other sender's lines, in order.\n"
           "\n"
           "options:\n"
           "  -a, --addr ADDR       127.x.x.x:PORT, [::1]:PORT, unix:/path or unix:@abstract;\n"
           "                        repeated: one room served by several servers, client i\n"
           "                        connects to the (i mod count)-th address\n"
           "  -c, --clients N       clients in the room, default 10\n"
           "  -S, --senders N       how many of them send, default all\n"
           "      --rate N|max      lines/s over all senders, default 100; max: as fast as\n"
           "                        the server delivers, limited by --window\n"
           "      --window N        most lines per sender not yet received by every other\n"
           "                        client; default 8 with --rate max, else 1000\n"
           "      --names           send a name after the greeting (netcookd, Python);\n"
           "                        without it clients just connect (ncat --chat)\n"
           "  -d, --duration SEC    measured window, default 5\n"
           "      --warmup SEC      sending before the window, checked but not measured, default 1\n"
           "      --drain SEC       after sending stops, wait for lines in flight until none\n"
           "                        came for SEC (at most 10 x SEC in all), default 3\n"
           "      --timeout SEC     longest time to connect and join every client, default 10\n"
           "      --threads N       load threads, each with its own epoll, default 1\n"
           "      --server-pid PID  report the CPU used by PID, its threads and children\n"
           "                        (repeat or a,b,c)\n"
           "      --json            print one JSON object instead of the line\n"
           "  -h, --help            this text\n"
           "\n"
           "exit status: 0 every line delivered in order, 1 lost/out-of-order lines or\n"
           "failed clients, 2 usage error\n";
}

} // namespace netcook::chatload
