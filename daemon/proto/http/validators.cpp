#include "proto/http/validators.hpp"

#include "proto/http/date.hpp"

namespace netcook::proto::http {

bool none_match_fails(std::string_view header, std::string_view tag) noexcept {
  if (header == "*") return true;
  while (true) {
    while (!header.empty() &&
           (header.front() == ' ' || header.front() == ',' || header.front() == '\t'))
      header.remove_prefix(1);
    if (header.starts_with("W/")) header.remove_prefix(2);
    if (header.empty()) return false;
    if (!header.starts_with('"')) return false;  // malformed: no match
    const auto close = header.find('"', 1);
    if (close == std::string_view::npos) return false;
    const auto candidate = header.substr(0, close + 1);
    header.remove_prefix(close + 1);
    while (!header.empty() && (header.front() == ' ' || header.front() == '\t'))
      header.remove_prefix(1);
    if (!header.empty() && header.front() != ',') return false;  // malformed list
    if (candidate == tag) return true;
  }
}

bool if_range_holds(std::string_view header, std::string_view tag, std::time_t modified) noexcept {
  // A weak tag only says "equivalent", not "the same bytes": never enough
  // to splice a range into what the client holds.
  if (header.starts_with("W/")) return false;
  // `tag` is one well-formed entity-tag, so equal bytes are one too.
  if (header.starts_with('"')) return !tag.starts_with("W/") && header == tag;
  std::time_t date = 0;
  return parse_date(header, date) && date == modified;
}

}  // namespace netcook::proto::http
