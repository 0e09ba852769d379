#pragma once

// The preconditions that compare a request's validators with a file's
// (RFC 9110 section 13.1): If-None-Match, and If-Range. Its entity-tag is
// made by files.cpp, its Last-Modified is the file's time in seconds.

#include <ctime>
#include <string_view>

namespace netcook::proto::http {

// If-None-Match: true when `header` is "*" or lists `tag`, by the weak
// comparison (RFC 9110 section 13.1.2): the answer is then 304.
bool none_match_fails(std::string_view header, std::string_view tag) noexcept;

// If-Range (RFC 9110 section 13.1.5): true when `header` is one entity-tag
// equal to `tag` by the strong comparison (neither of them weak), or one
// HTTP-date (any of the three formats) equal to `modified`. Anything else,
// a list or a malformed value among them, is false: the Range is then
// ignored and the whole file sent, never a part of another version.
bool if_range_holds(std::string_view header, std::string_view tag, std::time_t modified) noexcept;

}  // namespace netcook::proto::http
