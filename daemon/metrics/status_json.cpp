// /status.json: the figures of /metrics as one JSON object, for the status
// page and for scripts. The schema is netcookd(8)'s METRICS section (and
// the page relies on it): change both together.

#include "metrics/decimal.hpp"
#include "metrics/exposition.hpp"

#include <fmt/format.h>

namespace netcook::metrics {
namespace {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (byte < 0x20 || byte == 0x7F)
      out += fmt::format("\\u{:04x}", byte);
    else
      out += c;
  }
  return out + "\"";
}

template <typename T, typename Format>
std::string or_null(const std::optional<T>& value, Format format) {
  return value ? format(*value) : std::string("null");
}

std::string whole(std::uint64_t n) {
  return std::to_string(n);
}

// {"peer_closed": 8}: the reasons with a non-zero count, in their order.
std::string by_reason(const std::array<std::uint64_t, kReasonSlots>& counts) {
  std::string out = "{";
  for (std::size_t r = 0; r < kReasonSlots; ++r) {
    if (counts[r] == 0) continue;
    if (out.size() > 1) out += ", ";
    const std::string name = r < kCloseReasons ? std::string(to_string(static_cast<CloseReason>(r)))
                                               : fmt::format("reason{}", r);
    out += fmt::format("{}: {}", json_string(name), counts[r]);
  }
  return out + "}";
}

std::string durations(const HistogramFigures& h) {
  return fmt::format("{{\"count\": {}, \"sum_seconds\": {}}}", h.count(),
                     seconds_from_usec(h.sum_usec));
}

std::string http_part(const ListenerFigures& l) {
  std::string requests = "{";
  for (std::size_t slot = 0; slot < kHttpCodeSlots; ++slot) {
    if (l.http_requests[slot] == 0) continue;
    if (requests.size() > 1) requests += ", ";
    requests += fmt::format("{}: {}", json_string(http_code_label(slot)), l.http_requests[slot]);
  }
  requests += "}";
  return fmt::format(",\n     \"http\": {{\"requests\": {}, \"request_duration\": {}}}", requests,
                     durations(l.request_duration));
}

// "bus" only for a room shared through a bus (chat.bus): see exposition.cpp.
std::string chat_bus_part(const ChatBusFigures& b) {
  if (!b.configured()) return {};
  return fmt::format(
      ",\n              \"bus\": {{\"up\": {}, \"published\": {}, \"received\": {}, "
      "\"queued\": {}, \"dropped\": {}, \"link_losses\": {}}}",
      b.up() ? "true" : "false", b.published, b.received, b.waiting(), b.dropped, b.link_losses);
}

std::string chat_part(const ListenerFigures& l) {
  return fmt::format(",\n     \"chat\": {{\"members\": {}, \"lines\": {}, \"deliveries\": {}{}}}",
                     l.chat_members(), l.chat_lines, l.chat_deliveries, chat_bus_part(l.chat_bus));
}

std::string listener(const ListenerFigures& l) {
  std::string out = fmt::format(
      "    {{\"name\": {}, \"protocol\": {}, \"model\": {}, \"address\": {},\n"
      "     \"connections\": {{\"accepted\": {}, \"active\": {}, \"closed\": {}, "
      "\"refused\": {}}},\n"
      "     \"bytes\": {{\"received\": {}, \"sent\": {}}},\n"
      "     \"cpu_seconds\": {},\n"
      "     \"connection_duration\": {}",
      json_string(l.name), json_string(l.protocol), json_string(l.model), json_string(l.address),
      l.accepted, l.active(), by_reason(l.closed), by_reason(l.refused), l.bytes_in, l.bytes_out,
      seconds_from_nsec(l.cpu_nsec), durations(l.connection_duration));
  if (l.protocol == "http") out += http_part(l);
  if (l.protocol == "chat") out += chat_part(l);
  return out + "}";
}

}  // namespace

std::string status_json(const Figures& figures, const ProcessFigures& process,
                        std::string_view version, double now) {
  std::string out = fmt::format(
      "{{\n  \"version\": {},\n  \"pid\": {},\n  \"start_time\": {},\n  \"now\": {},\n"
      "  \"reloads\": {{\"ok\": {}, \"failed\": {}}},\n"
      "  \"process\": {{\"cpu_seconds\": {}, \"resident_memory_bytes\": {}, "
      "\"open_fds\": {}, \"max_fds\": {}}},\n"
      "  \"listeners\": [",
      json_string(version), figures.main_pid, decimal(figures.start_time), decimal(now),
      figures.reloads_ok, figures.reloads_failed, or_null(process.cpu_seconds, decimal),
      or_null(process.resident_bytes, whole), or_null(process.open_fds, whole),
      or_null(process.max_fds, whole));
  for (std::size_t i = 0; i < figures.listeners.size(); ++i)
    out += (i == 0 ? "\n" : ",\n") + listener(figures.listeners[i]);
  out += figures.listeners.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace netcook::metrics
