// netcook-httpsload: new HTTPS connections per second against a loopback
// server, each a full TLS 1.3 handshake and one GET. See bench/README.md.

#include "echoload/target.hpp"
#include "echoload/usage_error.hpp"
#include "httpsload/options.hpp"
#include "httpsload/report.hpp"
#include "httpsload/run.hpp"

#include <csignal>
#include <cstdio>
#include <exception>

int main(int argc, char** argv)
{
    using namespace netcook::bench;

    https::Options options;
    try {
        options = https::parse_options(argc, argv);
        if (!options.help)
            (void)Target::parse(options.address); // refuse non-loopback before anything else happens
    } catch (const UsageError& e) {
        std::fprintf(stderr, "netcook-httpsload: %s\nTry 'netcook-httpsload --help'.\n", e.what());
        return 2;
    }
    if (options.help) {
        std::fputs(https::usage_text(), stdout);
        return 0;
    }
    // A server that resets a connection must fail that connection, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        const auto result = https::run_load(options);
        const auto text = options.json ? https::format_json(options, result) : https::format_line(options, result);
        std::printf("%s\n", text.c_str());
        return https::exit_status(result);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "netcook-httpsload: %s\n", e.what());
        return 1;
    }
}
