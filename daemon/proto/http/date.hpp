#pragma once

// The Date header's value (RFC 9110 section 5.6.7, IMF-fixdate), formatted
// at most once per second per thread rather than once per response.

#include <ctime>
#include <string>
#include <string_view>

namespace netcook::proto::http {

// "Sun, 06 Nov 1994 08:49:37 GMT" for `when` (seconds since the epoch).
std::string format_date(std::time_t when);

// The current time as above; the view stays valid until the calling thread
// asks again in a later second.
std::string_view current_date() noexcept;

// Parses the three date formats RFC 9110 requires recipients to accept
// (IMF-fixdate, RFC 850, asctime); false when `text` is none of them.
bool parse_date(std::string_view text, std::time_t& when) noexcept;

}  // namespace netcook::proto::http
