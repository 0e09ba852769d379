#pragma once

#include "options.hpp"
#include "run.hpp"

#include <cstdint>
#include <string>

namespace netcook::chatload {

/// Every sent line should reach every other client: sent x (clients - 1).
[[nodiscard]] std::uint64_t expected_deliveries(const Options& options, const LoadStats& stats) noexcept;

/// One human-readable line, e.g. "chat clients=200 senders=200 rate=max
/// window=8 dur=5.00s sent=... delivered=... lost=0 ... lines/s ...".
[[nodiscard]] std::string format_line(const Options& options, const RunResult& result);

/// The same figures as one JSON object (raw numbers, explicit units in keys).
[[nodiscard]] std::string format_json(const Options& options, const RunResult& result);

/// 0 when every line reached every other client once, in order, and every
/// client connected, joined and stayed; 1 otherwise.
[[nodiscard]] int exit_status(const Options& options, const RunResult& result) noexcept;

} // namespace netcook::chatload
