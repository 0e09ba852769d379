#pragma once

// The daemon's figures in the Prometheus text exposition format 0.0.4
// (served at a status listener's /metrics), and as the JSON document of
// /status.json. Both are pure: the caller reads the arena, the main
// process and the clock, so tests can render fixed figures.
//
// Prometheus rules kept here: one # HELP and # TYPE per family, its
// samples together; counters end in _total; seconds, not micro- or
// nanoseconds; label values escaped. A family with no series (no http
// listener, no chat listener, a process figure that could not be read) is
// left out whole. Reasons: every reason a connection can end with is a
// series of netcookd_connections_closed_total from the start (0 included),
// and every refusal reason of netcookd_connections_refused_total, so
// rate() works from the first scrape; HTTP status codes appear once
// counted (the codes netcookd answers with, "other" for any else).

#include "metrics/arena.hpp"
#include "metrics/process.hpp"

#include <string>
#include <string_view>

namespace netcook::metrics {

inline constexpr std::string_view kExpositionType = "text/plain; version=0.0.4; charset=utf-8";

std::string prometheus_text(const Figures& figures, const ProcessFigures& process,
                            std::string_view version);

// `now`: when the document is made, seconds since the epoch. The schema
// is in netcookd(8), METRICS.
std::string status_json(const Figures& figures, const ProcessFigures& process,
                        std::string_view version, double now);

// The label of an HTTP code slot (shard.hpp): "200", ..., "other".
std::string http_code_label(std::size_t slot);

}  // namespace netcook::metrics
