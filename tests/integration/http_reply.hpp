#pragma once

// HTTP/1.1 spoken by hand over a Client: requests as text, and responses
// read one at a time (head, then a Content-Length body), so tests can
// pipeline, watch the connection close, and check every byte. Header-only.

#include "client.hpp"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace netcook::test {

struct HttpReply {
  std::string status_line;                                   // "HTTP/1.1 200 OK", without CRLF
  int status = 0;                                            // 0 if no status line arrived
  std::vector<std::pair<std::string, std::string>> headers;  // as sent
  std::string body;
  // ok: the whole response arrived; else how reading stopped.
  IoStatus io = IoStatus::ok;

  // The value of the first header field named `name` (any case).
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [field, value] : headers) {
      if (field.size() != name.size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < name.size() && same; ++i)
        same = std::tolower(static_cast<unsigned char>(field[i])) ==
               std::tolower(static_cast<unsigned char>(name[i]));
      if (same) return value;
    }
    return std::nullopt;
  }
  bool closes() const { return header("Connection") == "close"; }
};

// "GET `target` HTTP/1.1" with a Host and `extra` header lines (each
// ending in CRLF).
inline std::string http_get(std::string_view target, std::string_view extra = "",
                            std::string_view method = "GET",
                            std::string_view version = "HTTP/1.1") {
  return std::string(method) + " " + std::string(target) + " " + std::string(version) +
         "\r\nHost: localhost\r\n" + std::string(extra) + "\r\n";
}

// Reads the next response. Its body is Content-Length bytes, none for HEAD
// (`head_request`), 1xx, 204 and 304, and everything up to end of file when
// there is no Content-Length.
inline HttpReply read_reply(Client& client, Timeout timeout = kWait, bool head_request = false) {
  const Deadline deadline(timeout);
  HttpReply reply;
  const auto next_line = [&](std::string& line) {
    line = client.read_line(deadline.remaining());
    if (client.last_status() != IoStatus::ok) return false;
    line.pop_back();  // '\n'
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  };
  if (!next_line(reply.status_line)) {
    reply.io = client.last_status();
    return reply;
  }
  if (reply.status_line.size() >= 12 && reply.status_line.starts_with("HTTP/1."))
    reply.status = std::atoi(reply.status_line.c_str() + 9);
  for (std::string line; next_line(line) && !line.empty();) {
    const auto colon = line.find(':');
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    reply.headers.emplace_back(line.substr(0, colon), std::move(value));
  }
  if (client.last_status() != IoStatus::ok) {
    reply.io = client.last_status();
    return reply;
  }
  if (head_request || reply.status / 100 == 1 || reply.status == 204 || reply.status == 304)
    return reply;
  if (const auto length = reply.header("Content-Length")) {
    const auto size = static_cast<std::size_t>(std::stoull(*length));
    reply.body = client.read_exact(size, deadline.remaining());
    if (reply.body.size() != size) reply.io = client.last_status();
    return reply;
  }
  IoStatus status = IoStatus::ok;
  while ((status = client.read_available(reply.body, deadline.remaining())) == IoStatus::ok) {
  }
  reply.io = status == IoStatus::closed ? IoStatus::ok : status;
  return reply;
}

}  // namespace netcook::test
