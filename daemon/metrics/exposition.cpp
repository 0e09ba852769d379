#include "metrics/exposition.hpp"

#include "metrics/decimal.hpp"

#include <fmt/format.h>

#include <functional>

namespace netcook::metrics {
namespace {

// Reasons a connection that was served ends with, and reasons one is
// refused: each always a series of its family.
constexpr CloseReason kLastServedReason = CloseReason::io_error;
constexpr std::array kRefusalReasons = {CloseReason::full,       CloseReason::unserved,
                                        CloseReason::denied,     CloseReason::per_source,
                                        CloseReason::rate,       CloseReason::proxy_header,
                                        CloseReason::tls_handshake};

bool is_refusal(std::size_t reason) {
  for (const auto r : kRefusalReasons)
    if (static_cast<std::size_t>(r) == reason) return true;
  return false;
}

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string reason_label(std::size_t slot) {
  return slot < kCloseReasons ? std::string(to_string(static_cast<CloseReason>(slot)))
                              : fmt::format("reason{}", slot);
}

// Writes families: each begun once with its HELP and TYPE, when its first
// sample comes, so a family without samples is not written at all.
class Writer {
 public:
  // A family whose samples `fill` adds with sample().
  void family(std::string_view name, std::string_view type, std::string_view help,
              const std::function<void()>& fill) {
    pending_ = fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    fill();
    pending_.clear();
  }

  // `labels`: "" or `a="x",b="y"` (already escaped).
  void sample(std::string_view name, std::string_view labels, std::string_view value) {
    out_ += pending_;
    pending_.clear();
    if (labels.empty())
      out_ += fmt::format("{} {}\n", name, value);
    else
      out_ += fmt::format("{}{{{}}} {}\n", name, labels, value);
  }
  void sample(std::string_view name, std::string_view labels, std::uint64_t value) {
    sample(name, labels, std::to_string(value));
  }

  template <std::size_t N>
  void histogram(std::string_view name, std::string_view labels, const HistogramFigures& h,
                 const std::array<std::uint64_t, N>& bounds_usec) {
    const std::string bucket = fmt::format("{}_bucket", name);
    const std::string prefix = labels.empty() ? std::string() : fmt::format("{},", labels);
    for (std::size_t i = 0; i < N; ++i) {
      const std::uint64_t count = i < h.cumulative.size() ? h.cumulative[i] : 0;
      sample(bucket, fmt::format("{}le=\"{}\"", prefix, seconds_from_usec(bounds_usec[i])), count);
    }
    sample(bucket, fmt::format("{}le=\"+Inf\"", prefix), h.count());
    sample(fmt::format("{}_sum", name), labels, seconds_from_usec(h.sum_usec));
    sample(fmt::format("{}_count", name), labels, h.count());
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::string pending_;
};

std::string listener_labels(const ListenerFigures& l) {
  return fmt::format("listener=\"{}\",protocol=\"{}\",model=\"{}\"", escape_label(l.name),
                     escape_label(l.protocol), escape_label(l.model));
}

void daemon_families(Writer& w, const Figures& f, std::string_view version) {
  w.family("netcookd_build_info", "gauge", "netcookd's version, as a label; always 1.", [&] {
    w.sample("netcookd_build_info", fmt::format("version=\"{}\"", escape_label(version)), 1);
  });
  w.family("netcookd_start_time_seconds", "gauge",
           "When the daemon started, in seconds since the epoch.",
           [&] { w.sample("netcookd_start_time_seconds", "", decimal(f.start_time)); });
  w.family("netcookd_reloads_total", "counter", "Configuration reloads, by result.", [&] {
    w.sample("netcookd_reloads_total", "result=\"ok\"", f.reloads_ok);
    w.sample("netcookd_reloads_total", "result=\"failed\"", f.reloads_failed);
  });
  w.family("netcookd_listener_info", "gauge", "Each listener and its address; always 1.", [&] {
    for (const auto& l : f.listeners)
      w.sample("netcookd_listener_info",
               fmt::format("{},address=\"{}\"", listener_labels(l), escape_label(l.address)), 1);
  });
}

// A family with one sample per listener (those `applies` selects).
void per_listener(Writer& w, const Figures& f, std::string_view name, std::string_view type,
                  std::string_view help,
                  const std::function<std::string(const ListenerFigures&)>& value,
                  const std::function<bool(const ListenerFigures&)>& applies = {}) {
  w.family(name, type, help, [&] {
    for (const auto& l : f.listeners)
      if (!applies || applies(l)) w.sample(name, listener_labels(l), value(l));
  });
}

std::string count(std::uint64_t n) {
  return std::to_string(n);
}

void connection_families(Writer& w, const Figures& f) {
  per_listener(w, f, "netcookd_connections_accepted_total", "counter",
               "Connections accepted and served.", [](const auto& l) { return count(l.accepted); });
  per_listener(w, f, "netcookd_connections_active", "gauge", "Connections open now.",
               [](const auto& l) { return count(l.active()); });
  w.family("netcookd_connections_refused_total", "counter",
           "Connections refused at accept, by reason.", [&] {
             for (const auto& l : f.listeners)
               for (std::size_t r = 0; r < kReasonSlots; ++r)
                 if (is_refusal(r) || l.refused[r] != 0)
                   w.sample("netcookd_connections_refused_total",
                            fmt::format("{},reason=\"{}\"", listener_labels(l), reason_label(r)),
                            l.refused[r]);
           });
  w.family("netcookd_connections_closed_total", "counter",
           "Connections that ended, by the reason they ended.", [&] {
             for (const auto& l : f.listeners)
               for (std::size_t r = 0; r < kReasonSlots; ++r)
                 if (r <= static_cast<std::size_t>(kLastServedReason) || l.closed[r] != 0)
                   w.sample("netcookd_connections_closed_total",
                            fmt::format("{},reason=\"{}\"", listener_labels(l), reason_label(r)),
                            l.closed[r]);
           });
  per_listener(w, f, "netcookd_received_bytes_total", "counter", "Bytes received from clients.",
               [](const auto& l) { return count(l.bytes_in); });
  per_listener(w, f, "netcookd_sent_bytes_total", "counter", "Bytes sent to clients.",
               [](const auto& l) { return count(l.bytes_out); });
  w.family("netcookd_connection_duration_seconds", "histogram",
           "How long connections lasted, from accept to close.", [&] {
             for (const auto& l : f.listeners)
               w.histogram("netcookd_connection_duration_seconds", listener_labels(l),
                           l.connection_duration, kConnectionBounds);
           });
  per_listener(w, f, "netcookd_listener_cpu_seconds_total", "counter",
               "CPU time of the listener's threads and processes (added at most a second late).",
               [](const auto& l) { return seconds_from_nsec(l.cpu_nsec); });
}

bool is_http(const ListenerFigures& l) {
  return l.protocol == "http";
}
bool is_chat(const ListenerFigures& l) {
  return l.protocol == "chat";
}
bool has_chat_bus(const ListenerFigures& l) {
  return is_chat(l) && l.chat_bus.configured();
}

bool has_certificate(const ListenerFigures& l) {
  return l.certificate_expiry > 0;
}

// Only TLS listeners have it: an alert on `... - time() < 14 * 86400`
// catches a certificate that was not renewed.
void tls_families(Writer& w, const Figures& f) {
  per_listener(
      w, f, "netcookd_tls_certificate_expiry_timestamp_seconds", "gauge",
      "When the TLS listener's certificate (as last loaded) expires, in seconds since the epoch.",
      [](const auto& l) { return std::to_string(l.certificate_expiry); }, has_certificate);
}

// Only chat listeners with a bus (a room shared with other daemons) have
// these series: a room of its own has no bus to be down.
void chat_bus_families(Writer& w, const Figures& f) {
  per_listener(
      w, f, "netcookd_chat_bus_up", "gauge",
      "1 while the chat room is linked to its bus (Redis), 0 while the link is down.",
      [](const auto& l) { return count(l.chat_bus.up() ? 1 : 0); }, has_chat_bus);
  per_listener(
      w, f, "netcookd_chat_bus_published_total", "counter",
      "Entries this daemon published to the chat room's bus (lines, joins, leaves, renames).",
      [](const auto& l) { return count(l.chat_bus.published); }, has_chat_bus);
  per_listener(
      w, f, "netcookd_chat_bus_received_total", "counter",
      "Entries read from the chat room's bus, this daemon's own included.",
      [](const auto& l) { return count(l.chat_bus.received); }, has_chat_bus);
  per_listener(
      w, f, "netcookd_chat_bus_queued", "gauge",
      "Chat requests waiting for the bus's link to come back.",
      [](const auto& l) { return count(l.chat_bus.waiting()); }, has_chat_bus);
  per_listener(
      w, f, "netcookd_chat_bus_dropped_total", "counter",
      "Chat lines dropped unpublished: the bus's link down too long, or its queue full.",
      [](const auto& l) { return count(l.chat_bus.dropped); }, has_chat_bus);
  per_listener(
      w, f, "netcookd_chat_bus_link_losses_total", "counter",
      "Times the chat room's link to its bus was lost.",
      [](const auto& l) { return count(l.chat_bus.link_losses); }, has_chat_bus);
}

void protocol_families(Writer& w, const Figures& f) {
  w.family("netcookd_http_requests_total", "counter", "HTTP responses, by status code.", [&] {
    for (const auto& l : f.listeners)
      if (is_http(l))
        for (std::size_t slot = 0; slot < kHttpCodeSlots; ++slot)
          if (l.http_requests[slot] != 0)
            w.sample("netcookd_http_requests_total",
                     fmt::format("{},code=\"{}\"", listener_labels(l), http_code_label(slot)),
                     l.http_requests[slot]);
  });
  w.family("netcookd_http_request_duration_seconds", "histogram",
           "How long HTTP requests took, from their first byte to their response's last.", [&] {
             for (const auto& l : f.listeners)
               if (is_http(l))
                 w.histogram("netcookd_http_request_duration_seconds", listener_labels(l),
                             l.request_duration, kRequestBounds);
           });
  per_listener(
      w, f, "netcookd_chat_members", "gauge", "Members in the chat room now.",
      [](const auto& l) { return count(l.chat_members()); }, is_chat);
  per_listener(
      w, f, "netcookd_chat_lines_total", "counter", "Lines said in the chat room.",
      [](const auto& l) { return count(l.chat_lines); }, is_chat);
  per_listener(
      w, f, "netcookd_chat_deliveries_total", "counter", "Lines delivered to chat members.",
      [](const auto& l) { return count(l.chat_deliveries); }, is_chat);
  chat_bus_families(w, f);
  tls_families(w, f);
}

template <typename T, typename Format>
void process_family(Writer& w, std::string_view name, std::string_view type, std::string_view help,
                    const std::optional<T>& value, Format format) {
  if (value) w.family(name, type, help, [&] { w.sample(name, "", format(*value)); });
}

void process_families(Writer& w, const ProcessFigures& p) {
  const auto whole = [](std::uint64_t n) { return std::to_string(n); };
  process_family(w, "process_cpu_seconds_total", "counter",
                 "User and system CPU time of the main process.", p.cpu_seconds, decimal);
  process_family(w, "process_resident_memory_bytes", "gauge",
                 "Resident memory of the main process.", p.resident_bytes, whole);
  process_family(w, "process_open_fds", "gauge", "Open file descriptors of the main process.",
                 p.open_fds, whole);
  process_family(w, "process_max_fds", "gauge",
                 "The main process's limit on open file descriptors.", p.max_fds, whole);
  process_family(w, "process_start_time_seconds", "gauge",
                 "When the main process started, in seconds since the epoch.", p.start_time,
                 decimal);
}

}  // namespace

std::string http_code_label(std::size_t slot) {
  return slot < kHttpCodes.size() ? std::to_string(kHttpCodes[slot]) : std::string("other");
}

std::string prometheus_text(const Figures& figures, const ProcessFigures& process,
                            std::string_view version) {
  Writer w;
  daemon_families(w, figures, version);
  connection_families(w, figures);
  protocol_families(w, figures);
  process_families(w, process);
  return w.take();
}

}  // namespace netcook::metrics
