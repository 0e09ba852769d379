#pragma once

// The body of an error response: plain text, or a small HTML page for a
// client whose Accept prefers it (a browser, accept.hpp).

#include <string>
#include <string_view>

namespace netcook::proto::http {

struct ErrorForm {
  bool html = false;  // an HTML page, else plain text
  // The request's Accept chose the form (it was parsed): the response says
  // Vary: Accept, so that a cache keeps the two forms apart.
  bool negotiated = false;
};

struct ErrorPage {
  // "Content-Type: ...\r\nContent-Length: N\r\n", and "Vary: Accept\r\n"
  // when negotiated.
  std::string fields;
  std::string body;
};

// The page for `status`, explained by `detail` (escaped for HTML).
ErrorPage error_page(int status, std::string_view detail, ErrorForm form);

}  // namespace netcook::proto::http
