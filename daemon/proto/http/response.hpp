#pragma once

// Writing responses: status lines, the headers every response carries, and
// the complete error responses the parser's and interpreter's statuses turn
// into.

#include "proto/http/error_page.hpp"
#include "proto/outbox.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace netcook::proto::http {

inline constexpr std::string_view kServer = "netcookd/" NETCOOKD_VERSION;

// "OK", "Not Found", ...; "Unknown" for a status we never send.
std::string_view reason_phrase(int status) noexcept;

// "HTTP/1.1 <status> <reason>\r\nDate: <date>\r\nServer: netcookd/V\r\n".
void append_status(Outbox& out, int status, std::string_view date);

// A whole error response that ends the connection: a body naming the
// status and `detail` in `form` (error_page.hpp), `Connection: close`, and
// `Allow: GET, HEAD` for 405. `head_only` leaves the body out (the request
// was HEAD). Returns the bytes of body appended.
std::size_t append_error(Outbox& out, int status, std::string_view detail, std::string_view date,
                         bool head_only, ErrorForm form);

}  // namespace netcook::proto::http
