// Error bodies in both forms: the plain text line, and the HTML page with
// its title and heading, the explanation escaped, the fields saying the
// right type and length, and Vary only when Accept chose the form.

#include "proto/http/error_page.hpp"

#include <string>

#include <gtest/gtest.h>

namespace netcook::proto::http {
namespace {

TEST(HttpErrorPage, PlainText) {
  const ErrorPage page = error_page(404, "no such file", {});
  EXPECT_EQ(page.body, "404 Not Found: no such file\n");
  EXPECT_EQ(page.fields, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 28\r\n");
}

TEST(HttpErrorPage, PlainTextChosenByAcceptVaries) {
  const ErrorPage page = error_page(404, "no such file", {.html = false, .negotiated = true});
  EXPECT_EQ(page.body, "404 Not Found: no such file\n");
  EXPECT_EQ(page.fields,
            "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 28\r\nVary: Accept\r\n");
}

TEST(HttpErrorPage, Html) {
  const ErrorPage page = error_page(405, "method not allowed", {.html = true, .negotiated = true});
  EXPECT_EQ(page.body,
            "<!DOCTYPE html>\n"
            "<html lang=\"en\">\n"
            "<head>\n"
            "<meta charset=\"utf-8\">\n"
            "<title>405 Method Not Allowed</title>\n"
            "</head>\n"
            "<body>\n"
            "<h1>405 Method Not Allowed</h1>\n"
            "<p>method not allowed</p>\n"
            "</body>\n"
            "</html>\n");
  EXPECT_EQ(page.fields, "Content-Type: text/html; charset=utf-8\r\nContent-Length: " +
                             std::to_string(page.body.size()) + "\r\nVary: Accept\r\n");
}

TEST(HttpErrorPage, HtmlEscapesTheExplanation) {
  const ErrorPage page =
      error_page(400, "<script>alert('x')</script> & \"q\"", {.html = true, .negotiated = true});
  EXPECT_NE(page.body.find(
                "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>\n"),
            std::string::npos)
      << page.body;
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  EXPECT_NE(page.body.find("<title>400 Bad Request</title>"), std::string::npos);
  // Plain text is sent as text/plain: nothing to escape.
  EXPECT_EQ(error_page(400, "a <b> & c", {}).body, "400 Bad Request: a <b> & c\n");
}

}  // namespace
}  // namespace netcook::proto::http
