#pragma once

// The preconditions that compare a request's validators with a file's
// (RFC 9110 section 13.1). Its entity-tag is made by files.cpp.

#include <ctime>
#include <string_view>

namespace netcook::proto::http {

// If-None-Match: true when `header` is "*" or lists `tag`, by the weak
// comparison (RFC 9110 section 13.1.2): the answer is then 304.
bool none_match_fails(std::string_view header, std::string_view tag) noexcept;

}  // namespace netcook::proto::http
