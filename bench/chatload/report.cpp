#include "report.hpp"

#include <cstdarg>
#include <cstdio>

namespace netcook::chatload {

namespace {

/// Appends printf-formatted text; keeps format strings literal at the call
/// site so the compiler checks them.
class Line {
public:
    void add(const char* format, ...) __attribute__((format(printf, 2, 3)))
    {
        char piece[256];
        va_list args;
        va_start(args, format);
        // clang-analyzer wrongly reports args as uninitialised here; va_start is above.
        std::vsnprintf(piece, sizeof(piece), format, args); // NOLINT(clang-analyzer-valist.Uninitialized)
        va_end(args);
        text_ += piece;
    }
    [[nodiscard]] std::string take() { return std::move(text_); }

private:
    std::string text_;
};

unsigned long long ull(std::uint64_t v) noexcept { return v; }

double us(std::uint64_t ns) noexcept { return static_cast<double>(ns) / 1e3; }

/// 290us, 2.1ms, 1.25s: short, and never more precision than the histogram has.
void add_duration(Line& line, const char* key, std::uint64_t ns)
{
    if (ns < 1'000'000)
        line.add(" %s=%lluus", key, ull((ns + 500) / 1000));
    else if (ns < 1'000'000'000)
        line.add(" %s=%.1fms", key, static_cast<double>(ns) / 1e6);
    else
        line.add(" %s=%.2fs", key, static_cast<double>(ns) / 1e9);
}

std::uint64_t lost(const Options& options, const LoadStats& s) noexcept
{
    const auto expected = expected_deliveries(options, s);
    return expected > s.delivered ? expected - s.delivered : 0;
}

double per_second(std::uint64_t count, const Options& options) noexcept
{
    return static_cast<double>(count) / options.duration_s;
}

} // namespace

std::uint64_t expected_deliveries(const Options& options, const LoadStats& stats) noexcept
{
    return stats.sent * (options.clients - 1);
}

std::string format_line(const Options& options, const RunResult& result)
{
    const auto& s = result.stats;
    Line line;
    line.add("chat clients=%u senders=%u", options.clients, options.senders);
    if (options.saturate())
        line.add(" rate=max");
    else
        line.add(" rate=%g/s", options.rate);
    line.add(" window=%u dur=%.2fs sent=%llu expected=%llu delivered=%llu lost=%llu out_of_order=%llu"
             " duplicates=%llu",
             options.window, options.duration_s, ull(s.sent), ull(expected_deliveries(options, s)),
             ull(s.delivered), ull(lost(options, s)), ull(s.out_of_order), ull(s.duplicates));
    line.add(" lines/s=%.0f", per_second(s.window_delivered, options));
    add_duration(line, "p50", s.latency.percentile(50));
    add_duration(line, "p99", s.latency.percentile(99));
    add_duration(line, "max", s.latency.max());
    line.add(" order_mismatches=%llu", ull(result.room_order.mismatched));
    line.add(" sent/s=%.0f skipped=%llu unexpected=%llu errors=%llu connect_failures=%llu join_failures=%llu",
             per_second(s.window_sent, options), ull(s.skipped), ull(s.unexpected), ull(s.errors),
             ull(s.connect_failures), ull(s.join_failures));
    if (result.server_cpu_ns) {
        const double cpu_us = us(*result.server_cpu_ns);
        line.add(" server_cpu=%.0fms", cpu_us / 1e3);
        if (s.window_delivered > 0)
            line.add(" server_us_per_delivery=%.3f", cpu_us / static_cast<double>(s.window_delivered));
        else
            line.add(" server_us_per_delivery=n/a");
    }
    return line.take();
}

std::string format_json(const Options& options, const RunResult& result)
{
    const auto& s = result.stats;
    Line line;
    line.add("{\"clients\":%u,\"senders\":%u,", options.clients, options.senders);
    if (options.saturate())
        line.add("\"rate\":\"max\",");
    else
        line.add("\"rate\":%g,", options.rate);
    line.add("\"window\":%u,\"threads\":%u,\"names\":%s,\"duration_s\":%.3f,\"warmup_s\":%.3f", options.window,
             options.threads, options.handshake == Handshake::names ? "true" : "false", options.duration_s,
             options.warmup_s);
    line.add(",\"connected\":%llu,\"joined\":%llu,\"join_s\":%.3f", ull(s.connected), ull(s.joined), result.join_s);
    line.add(",\"sent\":%llu,\"expected\":%llu,\"delivered\":%llu,\"lost\":%llu,\"out_of_order\":%llu"
             ",\"duplicates\":%llu",
             ull(s.sent), ull(expected_deliveries(options, s)), ull(s.delivered), ull(lost(options, s)),
             ull(s.out_of_order), ull(s.duplicates));
    line.add(",\"window_sent\":%llu,\"window_delivered\":%llu,\"sent_per_s\":%.1f,\"lines_per_s\":%.1f",
             ull(s.window_sent), ull(s.window_delivered), per_second(s.window_sent, options),
             per_second(s.window_delivered, options));
    line.add(",\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f", us(s.latency.percentile(50)),
             us(s.latency.percentile(99)), us(s.latency.max()));
    line.add(",\"history_lines\":%llu,\"addresses\":%zu", ull(s.history), options.addresses.size());
    line.add(",\"order_compared\":%llu,\"order_mismatches\":%llu", ull(result.room_order.compared),
             ull(result.room_order.mismatched));
    line.add(",\"skipped\":%llu,\"unexpected\":%llu,\"errors\":%llu,\"connect_failures\":%llu,\"join_failures\":%llu",
             ull(s.skipped), ull(s.unexpected), ull(s.errors), ull(s.connect_failures), ull(s.join_failures));
    if (result.server_cpu_ns) {
        const double cpu_us = us(*result.server_cpu_ns);
        line.add(",\"server_cpu_ms\":%.3f", cpu_us / 1e3);
        if (s.window_delivered > 0)
            line.add(",\"server_us_per_delivery\":%.4f", cpu_us / static_cast<double>(s.window_delivered));
        else
            line.add(",\"server_us_per_delivery\":null");
    } else {
        line.add(",\"server_cpu_ms\":null,\"server_us_per_delivery\":null");
    }
    line.add(",\"window_begin_ns\":%llu,\"window_end_ns\":%llu", ull(result.window_begin_ns),
             ull(result.window_end_ns));
    line.add(",\"ok\":%s}", exit_status(options, result) == 0 ? "true" : "false");
    return line.take();
}

int exit_status(const Options& options, const RunResult& result) noexcept
{
    const auto& s = result.stats;
    const bool clean = s.sent > 0 && lost(options, s) == 0 && s.out_of_order == 0 && s.duplicates == 0 &&
                       s.unexpected == 0 && result.room_order.mismatched == 0 &&
                       s.errors == 0 && s.connect_failures == 0 && s.join_failures == 0;
    return clean ? 0 : 1;
}

} // namespace netcook::chatload
