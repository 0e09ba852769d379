#pragma once

// From a request target to a path relative to the site's root: the query
// dropped, each segment percent-decoded, dot segments removed (RFC 3986
// section 5.2.4, never above the root). A segment that decodes to a NUL or
// a '/' is refused rather than guessed at. Opening the result safely is
// files.cpp's job; this only makes it a clean relative path.

#include <string>
#include <string_view>

namespace netcook::proto::http {

struct LocalPath {
  int status = 0;            // 0, or 400 with `reason`
  std::string_view reason;
  std::string relative;      // "a/b.html", or "." for the root
  bool directory = false;    // the path ended in '/' (or was the root)
  std::string_view path;     // the target's path as sent, e.g. "/a/b.html"
  std::string_view query;    // after '?', without it; empty if none
};

LocalPath to_local_path(std::string_view target);

}  // namespace netcook::proto::http
