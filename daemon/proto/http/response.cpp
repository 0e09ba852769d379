#include "proto/http/response.hpp"

#include <fmt/format.h>

#include <string>

namespace netcook::proto::http {

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 416:
      return "Range Not Satisfiable";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

void append_status(Outbox& out, int status, std::string_view date) {
  out.append(fmt::format("HTTP/1.1 {} {}\r\nDate: {}\r\nServer: {}\r\n", status,
                         reason_phrase(status), date, kServer));
}

std::size_t append_error(Outbox& out, int status, std::string_view detail, std::string_view date,
                         bool head_only, ErrorForm form) {
  const ErrorPage page = error_page(status, detail, form);
  append_status(out, status, date);
  out.append(page.fields);
  if (status == 405) out.append("Allow: GET, HEAD\r\n");
  out.append("Connection: close\r\n\r\n");
  if (head_only) return 0;
  out.append(page.body);
  return page.body.size();
}

}  // namespace netcook::proto::http
