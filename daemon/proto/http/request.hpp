#pragma once

// What a parsed request head means for the server: the method it asks for,
// how its body is framed, whether the connection stays open — or the error
// status to answer. The checks here are the request-smuggling defences of
// RFC 9112 section 6.3: a request whose length is ambiguous is refused.

#include "proto/http/head.hpp"

#include <cstdint>
#include <string_view>

namespace netcook::proto::http {

enum class Method { get, head };
enum class Framing { none, length, chunked };

struct Request {
  Method method = Method::get;
  std::string_view target;
  int minor_version = 1;
  bool keep_alive = true;
  Framing framing = Framing::none;
  std::uint64_t content_length = 0;  // Framing::length
  // The first value of each, empty when absent.
  std::string_view if_modified_since;
  std::string_view if_none_match;
  std::string_view range;
  std::string_view if_range;
  // If-Range field lines: more than one can never hold (RFC 9110 section
  // 13.1.5 allows one validator).
  int if_range_lines = 0;
  // Its Accept prefers text/html to text/plain (accept.hpp): an error is
  // answered with an HTML page.
  bool prefers_html = false;
};

struct Verdict {
  int status = 0;  // 0: serve it; else 400, 405, 413 or 501
  std::string_view reason;
  bool ok() const noexcept { return status == 0; }
};

// Reads `head` into `request`. A declared body larger than `max_body` is a
// 413 at once; a chunked one is checked as it arrives.
Verdict interpret(const RequestHead& head, std::uint64_t max_body, Request& request) noexcept;

}  // namespace netcook::proto::http
