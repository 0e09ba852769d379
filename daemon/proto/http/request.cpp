#include "proto/http/request.hpp"

#include "proto/http/accept.hpp"
#include "proto/http/blanks.hpp"

namespace netcook::proto::http {
namespace {

// Calls `each` with every element of a comma-separated list, trimmed;
// empty elements are skipped (RFC 9110 section 5.6.1).
template <typename Each>
bool for_each_element(std::string_view list, Each each) {
  while (true) {
    const auto comma = list.find(',');
    const auto element = trim_blanks(list.substr(0, comma));
    if (!element.empty() && !each(element)) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

bool parse_length(std::string_view text, std::uint64_t& value) noexcept {
  if (text.empty() || text.size() > 19) return false;  // 19 digits fit in 64 bits
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

Verdict refuse(int status, std::string_view reason) noexcept {
  return {status, reason};
}

}  // namespace

Verdict interpret(const RequestHead& head, std::uint64_t max_body, Request& request) noexcept {
  request = Request{};
  request.target = head.target;
  request.minor_version = head.minor_version;

  std::size_t hosts = 0;
  bool has_length = false;
  bool has_coding = false;
  bool chunked_last = false;  // the last transfer coding seen is chunked
  bool chunked_twice = false;
  bool unknown_coding = false;
  bool length_conflict = false;
  bool length_malformed = false;
  bool close = false;
  bool keep_alive = false;
  ErrorMediaChoice error_media;

  for (const auto& field : head.fields()) {
    const auto name = field.name;
    if (equals_ignoring_case(name, "host")) {
      ++hosts;
    } else if (equals_ignoring_case(name, "content-length")) {
      bool any = false;  // "Content-Length: ," is malformed, not absent
      for_each_element(field.value, [&](std::string_view element) {
        any = true;
        std::uint64_t value = 0;
        if (!parse_length(element, value)) {
          length_malformed = true;
          return false;
        }
        if (has_length && value != request.content_length) length_conflict = true;
        request.content_length = value;
        has_length = true;
        return true;
      });
      if (!any) length_malformed = true;
    } else if (equals_ignoring_case(name, "transfer-encoding")) {
      bool any = false;  // "Transfer-Encoding: ," is present, and invalid
      for_each_element(field.value, [&](std::string_view coding) {
        any = true;
        if (equals_ignoring_case(coding, "chunked")) {
          if (has_coding && chunked_last) chunked_twice = true;
          chunked_last = true;
        } else {
          unknown_coding = true;  // gzip, compress, deflate, and the obsolete identity
          chunked_last = false;
        }
        has_coding = true;
        return true;
      });
      if (!any) has_coding = true;
    } else if (equals_ignoring_case(name, "connection")) {
      for_each_element(field.value, [&](std::string_view option) {
        if (equals_ignoring_case(option, "close")) close = true;
        if (equals_ignoring_case(option, "keep-alive")) keep_alive = true;
        return true;
      });
    } else if (equals_ignoring_case(name, "if-modified-since")) {
      if (request.if_modified_since.empty()) request.if_modified_since = field.value;
    } else if (equals_ignoring_case(name, "if-none-match")) {
      if (request.if_none_match.empty()) request.if_none_match = field.value;
    } else if (equals_ignoring_case(name, "range")) {
      if (request.range.empty()) request.range = field.value;
    } else if (equals_ignoring_case(name, "if-range")) {
      if (request.if_range_lines++ == 0) request.if_range = field.value;
    } else if (equals_ignoring_case(name, "accept")) {
      error_media.add(field.value);
    }
  }
  request.prefers_html = error_media.prefers_html();

  request.keep_alive = head.minor_version >= 1 ? !close : keep_alive && !close;

  if (head.minor_version >= 1 && hosts == 0) return refuse(400, "missing Host header");
  if (hosts > 1) return refuse(400, "more than one Host header");
  if (has_coding && has_length) return refuse(400, "both Content-Length and Transfer-Encoding");
  if (length_malformed) return refuse(400, "malformed Content-Length");
  if (length_conflict) return refuse(400, "conflicting Content-Length values");
  if (has_coding) {
    if (head.minor_version == 0) return refuse(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (unknown_coding) return refuse(501, "transfer coding not implemented");
    if (!chunked_last || chunked_twice)
      return refuse(400, "chunked must be the final coding, once");
    request.framing = Framing::chunked;
  } else if (has_length && request.content_length > 0) {
    request.framing = Framing::length;
    if (request.content_length > max_body) return refuse(413, "request body too large");
  }

  if (head.method == "GET") {
    request.method = Method::get;
  } else if (head.method == "HEAD") {
    request.method = Method::head;
  } else {
    return refuse(405, "method not allowed");
  }
  return {};
}

}  // namespace netcook::proto::http
