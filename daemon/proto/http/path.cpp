#include "proto/http/path.hpp"

#include "proto/http/head.hpp"

#include <vector>

namespace netcook::proto::http {
namespace {

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

LocalPath refuse(std::string_view reason) {
  LocalPath path;
  path.status = 400;
  path.reason = reason;
  return path;
}

}  // namespace

LocalPath to_local_path(std::string_view target) {
  // absolute-form (a proxy request): keep the path of the URI.
  const auto scheme_end = target.find("://");
  if (scheme_end != std::string_view::npos && !target.starts_with('/') &&
      (equals_ignoring_case(target.substr(0, scheme_end), "http") ||
       equals_ignoring_case(target.substr(0, scheme_end), "https"))) {
    const auto authority = scheme_end + 3;
    const auto slash = target.find('/', authority);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  if (!target.starts_with('/')) return refuse("the request target is not a path");
  LocalPath result;
  const auto query = target.find('?');
  result.path = target.substr(0, query);
  if (query != std::string_view::npos) result.query = target.substr(query + 1);
  const auto fragment = result.path.find('#');  // not sent by browsers; tolerated
  if (fragment != std::string_view::npos) result.path = result.path.substr(0, fragment);

  // Each segment decoded on its own, so an encoded '/' cannot make one.
  std::vector<std::string> segments;
  std::string_view rest = result.path.substr(1);
  bool names_directory = true;  // what the last segment seen says
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view raw = rest.substr(0, slash);
    std::string segment;
    segment.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '%') {
        segment += raw[i];
        continue;
      }
      if (i + 2 >= raw.size()) return refuse("bad percent-encoding in the path");
      const int high = hex_digit(raw[i + 1]);
      const int low = hex_digit(raw[i + 2]);
      if (high < 0 || low < 0) return refuse("bad percent-encoding in the path");
      const char byte = static_cast<char>(high * 16 + low);
      if (byte == '\0') return refuse("NUL in the path");
      if (byte == '/') return refuse("encoded '/' in a path segment");
      segment += byte;
      i += 2;
    }
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      names_directory = true;
    } else if (segment == "." || segment.empty()) {
      names_directory = true;  // "a/./" and "a//" name the directory a
    } else {
      segments.push_back(std::move(segment));
      names_directory = false;
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  for (const auto& segment : segments) {
    if (!result.relative.empty()) result.relative += '/';
    result.relative += segment;
  }
  if (result.relative.empty()) result.relative.push_back('.');  // the root
  result.directory = names_directory;
  return result;
}

}  // namespace netcook::proto::http
