#include "httpsload/run.hpp"

#include "echoload/target.hpp"
#include "httpsload/tls_client.hpp"

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

namespace netcook::bench::https {

namespace {

constexpr unsigned kMaxComplaints = 20;
// After a failure the client pauses, so a dead server gives a count of
// failures rather than a CPU-bound spin of instant refusals.
constexpr auto kRetryDelay = std::chrono::milliseconds(1);

std::atomic<unsigned> complaints{0};

void complain(const Visit& visit)
{
    if (complaints.fetch_add(1) < kMaxComplaints)
        std::fprintf(stderr, "netcook-httpsload: %s\n", visit.why.c_str());
}

struct Window {
    Clock::time_point begin, end;
    [[nodiscard]] bool holds(Clock::time_point t) const noexcept { return t >= begin && t < end; }
};

std::uint64_t ns_between(Clock::time_point a, Clock::time_point b)
{
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

void count_failure(Result& out, Failure failure)
{
    switch (failure) {
    case Failure::none:
        return;
    case Failure::connect:
        ++out.connect_failures;
        return;
    case Failure::handshake:
        ++out.handshake_failures;
        return;
    case Failure::io:
        ++out.io_errors;
        return;
    case Failure::response:
        ++out.bad_responses;
        return;
    }
}

// One client: a connection at a time until the window ends. Failures count
// wherever they happen; served connections only inside the window.
void client(const TlsClient& tls, const Window& window, Result& out)
{
    while (Clock::now() < window.end) {
        const Visit visit = tls.visit();
        ++out.opened;
        out.resumed += visit.resumed ? 1 : 0;
        if (visit.failure != Failure::none) {
            count_failure(out, visit.failure);
            complain(visit);
            std::this_thread::sleep_for(kRetryDelay);
            continue;
        }
        if (out.version.empty()) {
            out.version = visit.version;
            out.cipher = visit.cipher;
            out.group = visit.group;
        }
        if (!window.holds(visit.finished))
            continue;
        ++out.completed;
        out.tickets += visit.tickets;
        out.latency.record(ns_between(visit.started, visit.finished));
        out.handshake.record(ns_between(visit.started, visit.handshaken));
    }
}

void merge(Result& into, const Result& part)
{
    into.completed += part.completed;
    into.opened += part.opened;
    into.connect_failures += part.connect_failures;
    into.handshake_failures += part.handshake_failures;
    into.io_errors += part.io_errors;
    into.bad_responses += part.bad_responses;
    into.resumed += part.resumed;
    into.tickets += part.tickets;
    into.latency.merge(part.latency);
    into.handshake.merge(part.handshake);
    if (into.version.empty()) {
        into.version = part.version;
        into.cipher = part.cipher;
        into.group = part.group;
    }
}

std::string host_of(const std::string& address)
{
    auto host = address.substr(0, address.rfind(':'));
    if (host.size() >= 2 && host.front() == '[')
        host = host.substr(1, host.size() - 2);
    return host;
}

std::chrono::nanoseconds from_seconds(double s)
{
    return std::chrono::nanoseconds(static_cast<std::int64_t>(s * 1e9));
}

} // namespace

Result run_load(const Options& options)
{
    const Target target = Target::parse(options.address);
    const TlsClient tls(target, host_of(options.address), options.cacert, options.path,
                        from_seconds(options.timeout_s));
    const auto now = Clock::now();
    Window window;
    window.begin = now + from_seconds(options.warmup_s);
    window.end = window.begin + from_seconds(options.duration_s);
    // Each client's figures in a place of its own: nothing shared while it runs.
    std::vector<std::unique_ptr<Result>> parts;
    std::vector<std::thread> clients;
    for (unsigned i = 0; i < options.connections; ++i) {
        parts.push_back(std::make_unique<Result>());
        clients.emplace_back(client, std::cref(tls), std::cref(window), std::ref(*parts.back()));
    }
    for (auto& thread : clients)
        thread.join();
    Result result;
    for (const auto& part : parts)
        merge(result, *part);
    result.window_begin_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(window.begin.time_since_epoch()).count();
    result.window_end_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(window.end.time_since_epoch()).count();
    result.duration_s = options.duration_s;
    return result;
}

int exit_status(const Result& result) noexcept
{
    return result.completed > 0 && result.failures() == 0 && result.resumed == 0 ? 0 : 1;
}

} // namespace netcook::bench::https
