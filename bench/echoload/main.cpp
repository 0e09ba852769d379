// netcook-echoload: measures an RFC 862 echo server on loopback or a unix
// socket. See bench/README.md for the modes and what each figure means.

#include "args.hpp"
#include "report.hpp"
#include "run.hpp"
#include "target.hpp"
#include "usage_error.hpp"

#include <csignal>
#include <cstdio>
#include <exception>

namespace {

void print_nested(const std::exception& e, int depth = 0)
{
    std::fprintf(stderr, "%s%s\n", depth == 0 ? "netcook-echoload: " : "  caused by: ", e.what());
    try {
        std::rethrow_if_nested(e);
    } catch (const std::exception& inner) {
        print_nested(inner, depth + 1);
    } catch (...) {
        std::fputs("  caused by: unknown exception\n", stderr);
    }
}

} // namespace

int main(int argc, char** argv)
{
    using namespace netcook::bench;

    Options options;
    try {
        options = parse_args(argc, argv);
        if (!options.help)
            (void)Target::parse(options.address); // refuse non-loopback before anything else happens
    } catch (const UsageError& e) {
        std::fprintf(stderr, "netcook-echoload: %s\nTry 'netcook-echoload --help'.\n", e.what());
        return 2;
    }
    if (options.help) {
        std::fputs(usage_text(), stdout);
        return 0;
    }

    // A reset peer must show up as EPIPE on that connection, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        const auto result = run_load(options);
        const auto text = options.json ? format_json(options, result) : format_line(options, result);
        std::printf("%s\n", text.c_str());
        return exit_status(result);
    } catch (const std::exception& e) {
        print_nested(e);
        return 1;
    }
}
