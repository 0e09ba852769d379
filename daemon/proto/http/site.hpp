#pragma once

// What answers a valid request: the fixed response, or files under a root
// (files.cpp). One per listener, shared read-only by its connections,
// whatever thread or process serves them.

#include "proto/http/http.hpp"
#include "proto/http/request.hpp"
#include "proto/outbox.hpp"

#include <cstdint>
#include <string_view>

namespace netcook::proto::http {

class Site {
 public:
  explicit Site(const HttpSettings& settings) : settings_(settings) {}
  virtual ~Site() = default;
  Site(const Site&) = delete;
  Site& operator=(const Site&) = delete;

  const HttpSettings& settings() const noexcept { return settings_; }

  // What a response was, for the access log and the connection.
  struct Answer {
    int status = 200;
    std::uint64_t body_bytes = 0;  // as sent (none for HEAD)
    // False when the connection must close after it (the response then
    // says so): the request was malformed after all.
    bool keep = true;
  };

  // Appends the whole response to `request` (its body left out for HEAD).
  virtual Answer respond(const Request& request, std::string_view date, Outbox& out) const = 0;

  // Called in a process forked from the one that made the Site, once it
  // has closed the descriptors it inherited (Protocol::after_fork).
  virtual void after_fork() const noexcept {}

 private:
  HttpSettings settings_;
};

// The header line that tells the client whether the connection stays open,
// for the request's version: empty where the default already says so.
std::string_view connection_header(const Request& request) noexcept;

}  // namespace netcook::proto::http
