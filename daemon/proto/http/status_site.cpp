#include "proto/http/status_site.hpp"

#include "metrics/exposition.hpp"
#include "metrics/process.hpp"
#include "proto/http/path.hpp"
#include "proto/http/response.hpp"
#include "proto/http/site.hpp"
#include "proto/http/status_page.hpp"

#include <fmt/format.h>

#include <chrono>
#include <string>

namespace netcook::proto::http {
namespace {

double unix_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

class StatusSite final : public Site {
 public:
  StatusSite(const HttpSettings& settings, const metrics::Arena& arena)
      : Site(settings), arena_(arena) {}

  Answer respond(const Request& request, std::string_view date, Outbox& out) const override {
    const LocalPath path = to_local_path(request.target);
    const bool head_only = request.method == Method::head;
    if (path.status != 0)  // a malformed target: answered like any bad request
      return {path.status,
              append_error(out, path.status, path.reason, date, head_only, form(request)), false};
    if (path.relative == "." && path.directory)
      return send(out, request, date, "text/html; charset=utf-8", status_page());
    if (path.relative == "metrics" && !path.directory) {
      const auto figures = arena_.figures();
      return send(out, request, date, metrics::kExpositionType,
                  metrics::prometheus_text(figures, main_process(figures), NETCOOKD_VERSION));
    }
    if (path.relative == "status.json" && !path.directory) {
      const auto figures = arena_.figures();
      return send(
          out, request, date, "application/json",
          metrics::status_json(figures, main_process(figures), NETCOOKD_VERSION, unix_now()));
    }
    return not_found(out, request, date);
  }

 private:
  static ErrorForm form(const Request& request) noexcept {
    return {.html = request.prefers_html, .negotiated = true};
  }

  // The main process's figures. Under systemd's ProcSubset=pid /proc/stat
  // (the boot time) is hidden: its start is then the one the arena
  // recorded, early in main().
  static metrics::ProcessFigures main_process(const metrics::Figures& figures) {
    auto process = metrics::read_process(figures.main_pid);
    if (!process.start_time) process.start_time = figures.start_time;
    return process;
  }

  static Answer send(Outbox& out, const Request& request, std::string_view date,
                     std::string_view type, std::string_view body) {
    append_status(out, 200, date);
    out.append(
        fmt::format("Content-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n{}\r\n",
                    type, body.size(), connection_header(request)));
    if (request.method == Method::head) return {200, 0, true};
    out.append(body);
    return {200, body.size(), true};
  }

  static Answer not_found(Outbox& out, const Request& request, std::string_view date) {
    const ErrorPage page =
        error_page(404, "a status listener serves /, /metrics and /status.json", form(request));
    append_status(out, 404, date);
    out.append(page.fields);
    out.append(connection_header(request));
    out.append("\r\n");
    if (request.method == Method::head) return {404, 0, true};
    out.append(page.body);
    return {404, page.body.size(), true};
  }

  const metrics::Arena& arena_;
};

}  // namespace

std::shared_ptr<const Site> make_status_site(const HttpSettings& settings,
                                             const metrics::Arena& arena) {
  return std::make_shared<StatusSite>(settings, arena);
}

}  // namespace netcook::proto::http
