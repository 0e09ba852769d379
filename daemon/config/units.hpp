#pragma once

// Durations and sizes as written in the configuration file. Units are
// required for durations (a bare "30" could mean anything) and optional for
// sizes (a bare integer is bytes). Only binary size units exist: "KB" is
// rejected because half the world reads it as 1000.

#include "config/config.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace netcook::config {

// One or more <integer><unit> parts with units h, m, s, ms, largest first and
// each at most once: "500ms", "10s", "1m30s", "1h 5m". On failure returns
// nullopt and sets `error` to the reason (without the text itself).
std::optional<Duration> parse_duration(std::string_view text,
                                       std::string& error);

// An integer with an optional unit B, KiB, MiB, GiB: "512", "512B", "64KiB",
// "1 MiB". On failure returns nullopt and sets `error`.
std::optional<std::size_t> parse_size(std::string_view text,
                                      std::string& error);

// A rate: a count, '/', then a period s, m or h: "20/s", "600/m", "1000/h".
// Syntax only: "0/s" reads as count 0, for the caller to refuse with its own
// advice. On failure returns nullopt and sets `error`.
std::optional<Rate> parse_rate(std::string_view text, std::string& error);

// The text parse_rate() reads back: "20/s", "600/m"; "unlimited" for count
// 0.
std::string format_rate(Rate rate);

// The shortest text parse_duration() reads back as `duration`: "1m30s".
std::string format_duration(Duration duration);

// "4KiB", "1GiB", "1000B": the largest unit that divides `size` exactly.
std::string format_size(std::size_t size);

}  // namespace netcook::config
