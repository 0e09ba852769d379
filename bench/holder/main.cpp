// netcook-holder: holds idle connections open for bench/hold. Opens
// --count connections from one source address to an echo server, checks a
// sample of them, prints one line, then waits for commands on stdin:
// "check" samples again and prints a line, "close" or end of input closes
// every connection and exits. It exits by itself after --max-hold seconds.

#include "check.hpp"
#include "open_all.hpp"

#include "echoload/fd_limit.hpp"
#include "echoload/target.hpp"
#include "echoload/usage_error.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

namespace netcook::bench {

namespace {

struct Options {
    std::string target;
    in_addr source{};
    std::size_t count = 0;
    std::size_t sample = 100;
    std::uint32_t seed = 1;
    int open_timeout_s = 120;
    int max_hold_s = 900;
    int check_timeout_ms = 3000;
};

constexpr std::string_view kUsage =
    "usage: netcook-holder --target 127.x.x.x:PORT --source 127.x.x.x --count N\n"
    "         [--sample K] [--seed S] [--open-timeout SEC] [--max-hold SEC]\n";

unsigned long number(std::string_view name, const char* text, unsigned long most)
{
    char* end = nullptr;
    const unsigned long value = std::strtoul(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value > most)
        throw UsageError(std::string(name) + ": not a number up to " + std::to_string(most));
    return value;
}

Options parse(int argc, char** argv)
{
    Options options;
    for (int i = 1; i < argc; i += 2) {
        const std::string_view name = argv[i];
        if (i + 1 >= argc)
            throw UsageError(std::string(name) + " needs a value");
        const char* value = argv[i + 1];
        if (name == "--target")
            options.target = value;
        else if (name == "--source") {
            if (::inet_pton(AF_INET, value, &options.source) != 1 ||
                (ntohl(options.source.s_addr) >> 24) != 127)
                throw UsageError("--source must be a 127.x.x.x address");
        } else if (name == "--count")
            options.count = number(name, value, 1'000'000);
        else if (name == "--sample")
            options.sample = number(name, value, 1'000'000);
        else if (name == "--seed")
            options.seed = static_cast<std::uint32_t>(number(name, value, 0xffffffffUL));
        else if (name == "--open-timeout")
            options.open_timeout_s = static_cast<int>(number(name, value, 3600));
        else if (name == "--max-hold")
            options.max_hold_s = static_cast<int>(number(name, value, 3600));
        else
            throw UsageError("unknown option " + std::string(name));
    }
    if (options.target.empty() || options.source.s_addr == 0 || options.count == 0)
        throw UsageError("--target, --source and --count are required");
    return options;
}

void print(const Liveness& liveness)
{
    std::printf("sampled=%zu live=%zu dropped=%zu\n", liveness.sampled, liveness.live,
                liveness.dropped);
    std::fflush(stdout);
}

/// The next command on stdin: "check", or "close" for "close", end of
/// input, or --max-hold passing.
std::string next_command(std::chrono::steady_clock::time_point give_up)
{
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
        give_up - std::chrono::steady_clock::now());
    pollfd input{STDIN_FILENO, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&input, 1, static_cast<int>(left.count())) <= 0)
        return "close";
    std::string line;
    if (!std::getline(std::cin, line))
        return "close";
    return line == "check" ? line : "close";
}

int run(const Options& options)
{
    raise_fd_limit(options.count + 16);
    const Target target = Target::parse(options.target);
    if (target.family() != AF_INET)
        throw UsageError("--target must be 127.x.x.x:PORT (source addresses are IPv4)");
    const auto start = std::chrono::steady_clock::now();
    const Opened opened = open_all(target, options.source, options.count,
                                   start + std::chrono::seconds(options.open_timeout_s));
    const auto open_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    std::printf("open=%zu failed=%zu first_error=%s open_ms=%lld ", opened.connections.size(),
                opened.failures, opened.failures ? ::strerrordesc_np(opened.first_error) : "none",
                static_cast<long long>(open_ms.count()));
    print(check(opened.connections, options.sample, options.seed, options.check_timeout_ms));

    const auto give_up = start + std::chrono::seconds(options.max_hold_s);
    while (next_command(give_up) == "check")
        print(check(opened.connections, options.sample, options.seed + 1, options.check_timeout_ms));
    return 0; // every connection closes as `opened` goes
}

} // namespace

} // namespace netcook::bench

int main(int argc, char** argv)
{
    try {
        return netcook::bench::run(netcook::bench::parse(argc, argv));
    } catch (const netcook::bench::UsageError& e) {
        std::fprintf(stderr, "netcook-holder: %s\n%s", e.what(), netcook::bench::kUsage.data());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "netcook-holder: %s\n", e.what());
        return 1;
    }
}
