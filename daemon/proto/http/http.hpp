#pragma once

// HTTP/1.1 as a sans-I/O session: a fixed response (the cookbook's
// "Hello from Epoll Server!") or files under a root directory. Keep-alive,
// pipelining in order, request bodies read and discarded, every error
// answered with its status and the connection closed after it.

#include "proto/http/parser.hpp"
#include "proto/session.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace netcook::proto::http {

// Where the Date header's value comes from (tests fix it).
using DateSource = std::string_view (*)() noexcept;

// Where a request's duration is read from (tests fix it): the access log's
// and the request_duration metric's. Like the Date header, a fact only the
// protocol knows when to take, so the session reads it itself.
using Clock = std::chrono::steady_clock;
using ClockSource = Clock::time_point (*)() noexcept;

struct HttpSettings {
  HeadLimits limits;
  std::uint64_t max_body = 1024 * 1024;
  std::string body = "Hello from Epoll Server!\n";  // when root is empty
  std::string content_type = "text/plain; charset=utf-8";
  std::string root;                 // serve files under it when set
  std::string index = "index.html";
  DateSource date = nullptr;        // null: the real clock
  ClockSource clock = nullptr;      // null: Clock::now
  bool access_log = false;          // one line per response, at info
};

// What every connection of a listener shares, read-only: the settings and
// what can be prepared once (the fixed response, the root directory).
class Site;

// Throws std::system_error when the root directory cannot be opened.
std::shared_ptr<const Site> make_site(const HttpSettings& settings);

std::unique_ptr<Session> make_http_session(std::shared_ptr<const Site> site,
                                           const SessionContext& context);

}  // namespace netcook::proto::http
