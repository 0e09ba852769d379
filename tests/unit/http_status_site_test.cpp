// The status site (http: {status: true}) over a real metrics Arena, through
// the HTTP session: /metrics, /status.json and / with their types and
// Cache-Control, figures read afresh at every request, HEAD without a
// body, 404 for any other path (a query string ignored), 405 for others
// than GET and HEAD.

#include "http_response.hpp"
#include "metrics/arena.hpp"
#include "proto/http/http.hpp"
#include "proto/http/status_page.hpp"
#include "proto/http/status_site.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

namespace netcook::proto::http {
namespace {

using test::Response;
using test::take_response;
using testing::HasSubstr;

class StatusSiteTest : public testing::Test {
 protected:
  StatusSiteTest() : echo_(arena_.take("echo", "echo", "epoll", "127.0.0.1:7007")) {}
  ~StatusSiteTest() override { arena_.give_back(echo_); }

  // One request on a fresh connection, and its response.
  Response ask(std::string_view method, std::string_view target) {
    auto session = make_http_session(make_status_site(HttpSettings{}, arena_), SessionContext{});
    Outbox out;
    const std::string request = std::string(method) + " " + std::string(target) +
                                " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    session->receive(request, out);
    std::string bytes;
    while (!out.pending().empty()) {
      bytes += out.pending();
      out.consume(out.pending().size());
    }
    std::string_view stream = bytes;
    return take_response(stream, method == "HEAD");
  }

  metrics::Arena arena_;
  metrics::ListenerMetrics echo_;
};

TEST_F(StatusSiteTest, Metrics) {
  const Response response = ask("GET", "/metrics");
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(response.header("Cache-Control"), "no-store");
  EXPECT_THAT(response.body, HasSubstr("netcookd_listener_info{listener=\"echo\",protocol=\"echo\","
                                       "model=\"epoll\",address=\"127.0.0.1:7007\"} 1\n"));
  EXPECT_THAT(response.body, HasSubstr("\nprocess_open_fds "));
}

// Every request reads the arena again.
TEST_F(StatusSiteTest, FiguresAreCurrent) {
  const std::string series =
      "netcookd_connections_accepted_total{listener=\"echo\",protocol=\"echo\",model=\"epoll\"}";
  EXPECT_THAT(ask("GET", "/metrics").body, HasSubstr(series + " 0\n"));
  metrics::add(echo_.here().accepted, 3);
  EXPECT_THAT(ask("GET", "/metrics").body, HasSubstr(series + " 3\n"));
  EXPECT_THAT(ask("GET", "/status.json").body, HasSubstr("\"accepted\": 3"));
}

TEST_F(StatusSiteTest, StatusJson) {
  const Response response = ask("GET", "/status.json?now");
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  EXPECT_EQ(response.header("Cache-Control"), "no-store");
  EXPECT_THAT(response.body, HasSubstr("\"name\": \"echo\""));
  EXPECT_THAT(response.body, HasSubstr("\"version\": \"" NETCOOKD_VERSION "\""));
}

TEST_F(StatusSiteTest, Page) {
  const Response response = ask("GET", "/");
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(response.body, status_page());
}

TEST_F(StatusSiteTest, HeadHasTheHeadersOfGet) {
  const Response get = ask("GET", "/");
  const Response head = ask("HEAD", "/");
  EXPECT_EQ(head.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(head.header("Content-Length"), get.header("Content-Length"));
  EXPECT_EQ(head.header("Content-Type"), get.header("Content-Type"));
  EXPECT_TRUE(head.body.empty());
}

TEST_F(StatusSiteTest, OtherPathsAndMethods) {
  for (const auto target : {"/metrics/", "/index.html", "/status.json/x", "/metric"})
    EXPECT_EQ(ask("GET", target).status_line, "HTTP/1.1 404 Not Found") << target;
  EXPECT_EQ(ask("GET", "/%6detrics").status_line, "HTTP/1.1 200 OK");  // percent-decoded
  EXPECT_EQ(ask("DELETE", "/metrics").status_line, "HTTP/1.1 405 Method Not Allowed");
}

}  // namespace
}  // namespace netcook::proto::http
