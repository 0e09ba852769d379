#pragma once

// Reads HTTP/1.1 responses back from the bytes a session wrote, for the
// http unit tests: status line, headers in order, and a body of
// Content-Length bytes (none for HEAD or a 304).

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace netcook::proto::http::test {

struct Response {
  std::string status_line;
  std::string head;  // every header line, CRLFs included
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::size_t count(std::string_view name) const {
    std::size_t n = 0;
    for (const auto& header : headers) n += header.first == name ? 1 : 0;
    return n;
  }
  std::string header(std::string_view name) const {
    for (const auto& [key, value] : headers)
      if (key == name) return value;
    return "(absent)";
  }
};

// One response off the front of `stream`; its body is Content-Length bytes
// unless `head_only` or a 304.
inline Response take_response(std::string_view& stream, bool head_only = false) {
  Response response;
  const auto end = stream.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    ADD_FAILURE() << "no complete response head in: " << stream;
    stream = {};
    return response;
  }
  std::string_view head = stream.substr(0, end + 2);
  stream.remove_prefix(end + 4);
  auto line_end = head.find("\r\n");
  response.status_line = head.substr(0, line_end);
  head.remove_prefix(line_end + 2);
  response.head = head;
  while (!head.empty()) {
    line_end = head.find("\r\n");
    const auto line = head.substr(0, line_end);
    const auto colon = line.find(": ");
    EXPECT_NE(colon, std::string_view::npos) << line;
    response.headers.emplace_back(line.substr(0, colon), line.substr(colon + 2));
    head.remove_prefix(line_end + 2);
  }
  if (!head_only && !response.status_line.starts_with("HTTP/1.1 304") &&
      response.count("Content-Length") == 1) {
    const auto length = std::stoul(response.header("Content-Length"));
    EXPECT_LE(length, stream.size()) << response.status_line;
    response.body = stream.substr(0, length);
    stream.remove_prefix(response.body.size());
  }
  return response;
}

}  // namespace netcook::proto::http::test
