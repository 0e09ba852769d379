#include "proto/http/validators.hpp"

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

}  // namespace netcook::proto::http
