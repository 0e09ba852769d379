#pragma once

// The access log: one line per response, at info, on the listener's
// logger. Its text is combined-log-like,
//
//   192.0.2.7:51234 "GET /x HTTP/1.1" 200 1234 0.842ms "http://a/" "curl/7.88.1"
//
// (peer, request line as sent or "-", status, bytes of the response as
// queued, head and body, duration, Referer, User-Agent, and for an error
// its reason in parentheses), and its facts go as journal fields too
// (log/fields.hpp): HTTP_METHOD, HTTP_TARGET, HTTP_VERSION, HTTP_STATUS,
// HTTP_USER_AGENT, HTTP_REFERER, DURATION_USEC, BYTES_OUT, with PEER.

#include <cstdint>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace netcook::proto::http {

struct AccessRecord {
  std::string_view peer;
  std::string_view request_line;  // as sent; empty when it was not well-formed
  int status = 0;
  std::uint64_t bytes = 0;  // the whole response as queued: head and body
  std::uint64_t usec = 0;   // from the request's first byte to its response queued
  std::string_view referer;     // empty when absent
  std::string_view user_agent;  // empty when absent
  std::string_view error;       // an error response's reason; empty otherwise
};

// The parts of a well-formed request line ("GET /x HTTP/1.1"); all empty
// for anything else.
struct RequestLineParts {
  std::string_view method, target, version;
};
RequestLineParts split_request_line(std::string_view line) noexcept;

// To the microsecond: "0.042ms" below a second, "12.345s" from it on.
std::string format_duration(std::uint64_t usec);

// The line's text, as documented above.
std::string access_line(const AccessRecord& record);

// Logs `record` at info on `log` with its journal fields (empty ones left
// out) and PEER. The caller has checked log.should_log(info).
void log_access(spdlog::logger& log, const AccessRecord& record);

}  // namespace netcook::proto::http
