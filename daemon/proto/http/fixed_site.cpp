#include "proto/http/response.hpp"
#include "proto/http/site.hpp"

#include <fmt/format.h>

#include <string>

namespace netcook::proto::http {
namespace {

// Every response is the same but for its Date and Connection lines, so all
// the rest is rendered once per listener.
class FixedSite final : public Site {
 public:
  explicit FixedSite(const HttpSettings& settings)
      : Site(settings),
        head_(fmt::format("HTTP/1.1 200 OK\r\nServer: {}\r\nContent-Type: {}\r\n"
                          "Content-Length: {}\r\nDate: ",
                          kServer, settings.content_type, settings.body.size())) {}

  Answer respond(const Request& request, std::string_view date, Outbox& out) const override {
    out.append(head_);
    out.append(date);
    out.append("\r\n");
    out.append(connection_header(request));
    out.append("\r\n");
    if (request.method == Method::head) return {200, 0, true};
    out.append(settings().body);
    return {200, settings().body.size(), true};
  }

 private:
  const std::string head_;
};

}  // namespace

std::string_view connection_header(const Request& request) noexcept {
  if (request.minor_version >= 1) return request.keep_alive ? "" : "Connection: close\r\n";
  return request.keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
}

std::shared_ptr<const Site> make_fixed_site(const HttpSettings& settings) {
  return std::make_shared<FixedSite>(settings);
}

}  // namespace netcook::proto::http
