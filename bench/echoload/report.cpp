#include "report.hpp"

#include <cstdarg>
#include <cstdio>

namespace netcook::bench {

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

/// Per message, per MB (stream) or per connection.
double operations(const Options& options, const WorkerStats& stats) noexcept
{
    const auto completed = static_cast<double>(stats.completed);
    return options.mode == Mode::stream ? completed / 1e6 : completed;
}

const char* count_key(Mode mode) noexcept
{
    switch (mode) {
    case Mode::pingpong: return "msgs";
    case Mode::stream: return "bytes";
    case Mode::connect: return "connects";
    case Mode::refused: return "refusals";
    }
    return "ops";
}

} // namespace

std::string format_line(const Options& options, const RunResult& result)
{
    const auto& s = result.stats;
    const double rate = static_cast<double>(s.completed) / options.duration_s;
    Line line;
    line.add("%s conns=%u size=%zu dur=%.2fs %s=%llu", mode_name(options.mode), options.connections, options.size,
             options.duration_s, count_key(options.mode), ull(s.completed));
    if (options.mode == Mode::stream) {
        line.add(" rate=%.1fMB/s", rate / 1e6);
    } else {
        line.add(" rate=%.0f/s", rate);
        add_duration(line, "p50", s.latency.percentile(50));
        add_duration(line, "p99", s.latency.percentile(99));
        add_duration(line, "max", s.latency.max());
    }
    if (options.mode == Mode::refused)
        line.add(" with_bytes=%llu resets=%llu", ull(s.refusals_with_bytes), ull(s.resets));
    line.add(" mismatches=%llu", ull(s.mismatches));
    if (options.mode == Mode::connect || options.mode == Mode::refused)
        line.add(" failures=%llu", ull(s.errors + s.connect_failures));
    else
        line.add(" errors=%llu connect_failures=%llu", ull(s.errors), ull(s.connect_failures));
    if (result.server_cpu_ns) {
        const double cpu_us = us(*result.server_cpu_ns);
        line.add(" server_cpu=%.0fms", cpu_us / 1e3);
        const double ops = operations(options, s);
        if (ops > 0)
            line.add(" server_us_per_op=%.2f", cpu_us / ops);
        else
            line.add(" server_us_per_op=n/a");
    }
    return line.take();
}

std::string format_json(const Options& options, const RunResult& result)
{
    const auto& s = result.stats;
    const double rate = static_cast<double>(s.completed) / options.duration_s;
    Line line;
    line.add("{\"mode\":\"%s\",\"conns\":%u,\"size\":%zu,\"threads\":%u,\"duration_s\":%.3f,\"warmup_s\":%.3f",
             mode_name(options.mode), options.connections, options.size, options.threads, options.duration_s,
             options.warmup_s);
    line.add(",\"%s\":%llu", count_key(options.mode), ull(s.completed));
    if (options.mode == Mode::stream) {
        line.add(",\"mb_per_s\":%.3f", rate / 1e6);
    } else {
        line.add(",\"rate_per_s\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f", rate,
                 us(s.latency.percentile(50)), us(s.latency.percentile(99)), us(s.latency.max()));
    }
    if (options.mode == Mode::refused)
        line.add(",\"refusals_with_bytes\":%llu,\"resets\":%llu", ull(s.refusals_with_bytes), ull(s.resets));
    line.add(",\"mismatches\":%llu,\"errors\":%llu,\"connect_failures\":%llu", ull(s.mismatches), ull(s.errors),
             ull(s.connect_failures));
    if (options.mode == Mode::connect || options.mode == Mode::refused)
        line.add(",\"failures\":%llu", ull(s.errors + s.connect_failures));
    if (result.server_cpu_ns) {
        const double cpu_us = us(*result.server_cpu_ns);
        const double ops = operations(options, s);
        line.add(",\"server_cpu_ms\":%.3f", cpu_us / 1e3);
        if (ops > 0)
            line.add(",\"server_us_per_op\":%.4f", cpu_us / ops);
        else
            line.add(",\"server_us_per_op\":null");
    } else {
        line.add(",\"server_cpu_ms\":null,\"server_us_per_op\":null");
    }
    line.add(",\"ok\":%s}", exit_status(result) == 0 ? "true" : "false");
    return line.take();
}

int exit_status(const RunResult& result) noexcept
{
    const auto& s = result.stats;
    return s.mismatches == 0 && s.errors == 0 && s.connect_failures == 0 ? 0 : 1;
}

} // namespace netcook::bench
