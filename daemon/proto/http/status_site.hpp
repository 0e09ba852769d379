#pragma once

// A status listener's site (http: {status: true}): the daemon's figures,
// read from the metrics arena at every request, in whatever process or
// thread serves it (under fork, a connection process reads the same
// shared cells the main process does).
//   GET /             the live status page (status_page.hpp), text/html
//   GET /metrics      Prometheus text format 0.0.4 (metrics/exposition.hpp)
//   GET /status.json  the same figures as JSON
// HEAD as GET without the body; any other path 404. Every answer says
// Cache-Control: no-store: figures are stale at once.

#include "metrics/arena.hpp"
#include "proto/http/http.hpp"

#include <memory>

namespace netcook::proto::http {

// `arena` must outlive the site.
std::shared_ptr<const Site> make_status_site(const HttpSettings& settings,
                                             const metrics::Arena& arena);

}  // namespace netcook::proto::http
