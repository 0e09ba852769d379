#include "httpsload/report.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace netcook::bench::https {

namespace {

struct Field {
    std::string name;
    std::string value;
    bool text = false; // quoted in JSON
};

std::string number(double value, int decimals)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

std::string us(std::uint64_t ns)
{
    return number(static_cast<double>(ns) / 1e3, 1);
}

std::vector<Field> fields(const Options& options, const Result& r)
{
    const double rate = r.duration_s > 0 ? static_cast<double>(r.completed) / r.duration_s : 0;
    const double tickets = r.completed > 0 ? static_cast<double>(r.tickets) / static_cast<double>(r.completed) : 0;
    return {
        {"clients", std::to_string(options.connections)},
        {"duration_s", number(r.duration_s, 3)},
        {"completed", std::to_string(r.completed)},
        {"rate_per_s", number(rate, 1)},
        {"p50_us", us(r.latency.percentile(50))},
        {"p99_us", us(r.latency.percentile(99))},
        {"max_us", us(r.latency.max())},
        {"handshake_p50_us", us(r.handshake.percentile(50))},
        {"handshake_p99_us", us(r.handshake.percentile(99))},
        {"version", r.version.empty() ? "-" : r.version, true},
        {"cipher", r.cipher.empty() ? "-" : r.cipher, true},
        {"group", r.group.empty() ? "-" : r.group, true},
        {"resumed", std::to_string(r.resumed)},
        {"tickets_per_conn", number(tickets, 2)},
        {"opened", std::to_string(r.opened)},
        {"connect_failures", std::to_string(r.connect_failures)},
        {"handshake_failures", std::to_string(r.handshake_failures)},
        {"errors", std::to_string(r.io_errors)},
        {"bad_responses", std::to_string(r.bad_responses)},
        {"window_begin_ns", std::to_string(r.window_begin_ns)},
        {"window_end_ns", std::to_string(r.window_end_ns)},
    };
}

} // namespace

std::string format_line(const Options& options, const Result& result)
{
    std::string line = "https";
    for (const auto& f : fields(options, result)) {
        if (f.name.starts_with("window_"))
            continue; // for scripts (--json)
        line += " " + f.name + "=" + f.value;
    }
    return line;
}

std::string format_json(const Options& options, const Result& result)
{
    std::string json = "{";
    for (const auto& f : fields(options, result)) {
        if (json.size() > 1)
            json += ", ";
        json += "\"" + f.name + "\": " + (f.text ? "\"" + f.value + "\"" : f.value);
    }
    return json + "}";
}

} // namespace netcook::bench::https
