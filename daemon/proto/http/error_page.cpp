#include "proto/http/error_page.hpp"

#include "proto/http/response.hpp"

#include <fmt/format.h>

namespace netcook::proto::http {
namespace {

std::string escape_html(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string html_body(int status, std::string_view detail) {
  const std::string title = escape_html(fmt::format("{} {}", status, reason_phrase(status)));
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>{0}</title>\n</head>\n<body>\n<h1>{0}</h1>\n<p>{1}</p>\n</body>\n</html>\n",
      title, escape_html(detail));
}

}  // namespace

ErrorPage error_page(int status, std::string_view detail, ErrorForm form) {
  ErrorPage page;
  page.body = form.html ? html_body(status, detail)
                        : fmt::format("{} {}: {}\n", status, reason_phrase(status), detail);
  page.fields = fmt::format("Content-Type: text/{}; charset=utf-8\r\nContent-Length: {}\r\n{}",
                            form.html ? "html" : "plain", page.body.size(),
                            form.negotiated ? "Vary: Accept\r\n" : "");
  return page;
}

}  // namespace netcook::proto::http
