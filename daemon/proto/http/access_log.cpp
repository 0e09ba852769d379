#include "proto/http/access_log.hpp"

#include "log/fields.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstddef>

namespace netcook::proto::http {

namespace {

// A header value between double quotes, as the combined log format writes
// it: a quote or backslash inside is escaped so the line splits one way
// only; "-" when there is none. Values hold no control characters (the
// parser refuses them).
std::string quoted(std::string_view value) {
  if (value.empty()) return "\"-\"";
  std::string text;
  text.reserve(value.size() + 2);
  text.push_back('"');
  for (const char c : value) {
    if (c == '"' || c == '\\') text.push_back('\\');
    text.push_back(c);
  }
  text.push_back('"');
  return text;
}

}  // namespace

RequestLineParts split_request_line(std::string_view line) noexcept {
  const auto first = line.find(' ');
  const auto last = line.rfind(' ');
  if (first == std::string_view::npos || first == last) return {};
  return {line.substr(0, first), line.substr(first + 1, last - first - 1), line.substr(last + 1)};
}

std::string format_duration(std::uint64_t usec) {
  if (usec < 1'000'000) return fmt::format("{:.3f}ms", static_cast<double>(usec) / 1e3);
  return fmt::format("{:.3f}s", static_cast<double>(usec) / 1e6);
}

std::string access_line(const AccessRecord& record) {
  const std::string_view line = record.request_line.empty() ? "-" : record.request_line;
  std::string text =
      fmt::format("{} \"{}\" {} {} {} {} {}", record.peer, line, record.status, record.bytes,
                  format_duration(record.usec), quoted(record.referer), quoted(record.user_agent));
  if (!record.error.empty()) fmt::format_to(std::back_inserter(text), " ({})", record.error);
  return text;
}

void log_access(spdlog::logger& log, const AccessRecord& record) {
  const RequestLineParts parts = split_request_line(record.request_line);
  const std::string status = std::to_string(record.status);
  const std::string usec = std::to_string(record.usec);
  const std::string bytes = std::to_string(record.bytes);
  const std::array<log::Field, 8> all = {{{"HTTP_METHOD", parts.method},
                                          {"HTTP_TARGET", parts.target},
                                          {"HTTP_VERSION", parts.version},
                                          {"HTTP_STATUS", status},
                                          {"HTTP_USER_AGENT", record.user_agent},
                                          {"HTTP_REFERER", record.referer},
                                          {"DURATION_USEC", usec},
                                          {"BYTES_OUT", bytes}}};
  // A field that is not known (no request line, no such header) is left
  // out rather than sent empty: `journalctl HTTP_REFERER=` selects nothing.
  std::array<log::Field, all.size()> present;
  std::size_t count = 0;
  for (const log::Field& field : all)
    if (!field.value.empty()) present[count++] = field;
  const log::FieldScope fields({present.data(), count});
  const log::PeerScope peer(record.peer);
  log.info("{}", access_line(record));
}

}  // namespace netcook::proto::http
