// netcook-chatload: measures a line-based broadcast chat server on loopback
// or a unix socket. See bench/README.md for what each figure means.

#include "echoload/target.hpp"
#include "echoload/usage_error.hpp"
#include "options.hpp"
#include "report.hpp"
#include "run.hpp"

#include <csignal>
#include <cstdio>
#include <exception>

namespace {

void print_nested(const std::exception& e, int depth = 0)
{
    std::fprintf(stderr, "%s%s\n", depth == 0 ? "netcook-chatload: " : "  caused by: ", e.what());
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
    using namespace netcook::chatload;

    Options options;
    try {
        options = parse_args(argc, argv);
        if (!options.help)
            for (const auto& address : options.addresses)
                (void)netcook::bench::Target::parse(address); // refuse non-loopback before anything else
    } catch (const netcook::bench::UsageError& e) {
        std::fprintf(stderr, "netcook-chatload: %s\nTry 'netcook-chatload --help'.\n", e.what());
        return 2;
    }
    if (options.help) {
        std::fputs(usage_text(), stdout);
        return 0;
    }

    // A server that resets a client must show up as EPIPE on that client, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        const auto result = run_load(options);
        const auto text = options.json ? format_json(options, result) : format_line(options, result);
        std::printf("%s\n", text.c_str());
        return exit_status(options, result);
    } catch (const std::exception& e) {
        print_nested(e);
        return 1;
    }
}
