#include "proto/http/accept.hpp"

#include "proto/http/blanks.hpp"
#include "proto/http/head.hpp"

namespace netcook::proto::http {
namespace {

// Where the next `separator` outside a quoted-string is, or npos.
std::size_t find_unquoted(std::string_view text, char separator) noexcept {
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (quoted && text[i] == '\\') {
      ++i;  // quoted-pair: the next byte is literal
    } else if (text[i] == '"') {
      quoted = !quoted;
    } else if (!quoted && text[i] == separator) {
      return i;
    }
  }
  return std::string_view::npos;
}

// Splits off what comes before the next unquoted `separator`.
std::string_view next_part(std::string_view& text, char separator) noexcept {
  const auto end = find_unquoted(text, separator);
  const auto part = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return part;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
// thousandths; -1 when malformed.
int read_weight(std::string_view text) noexcept {
  if (text.empty() || text.size() > 5 || (text[0] != '0' && text[0] != '1')) return -1;
  if (text.size() > 1 && text[1] != '.') return -1;
  int weight = text[0] == '1' ? 1000 : 0;
  int scale = 100;
  for (std::size_t i = 2; i < text.size(); ++i, scale /= 10) {
    if (text[i] < '0' || text[i] > '9') return -1;
    weight += (text[i] - '0') * scale;
  }
  return weight > 1000 ? -1 : weight;
}

// True for charset=utf-8 (the only parameter our error bodies have).
bool is_our_charset(std::string_view name, std::string_view value) noexcept {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  return equals_ignoring_case(name, "charset") && equals_ignoring_case(value, "utf-8");
}

}  // namespace

void ErrorMediaChoice::add(std::string_view accept) noexcept {
  seen_ = true;
  while (!accept.empty()) {
    const auto element = trim_blanks(next_part(accept, ','));
    if (!element.empty()) consider(element);
  }
}

void ErrorMediaChoice::consider(std::string_view element) noexcept {
  const auto range = trim_blanks(next_part(element, ';'));
  const auto slash = range.find('/');
  if (slash == std::string_view::npos) return;
  const auto type = range.substr(0, slash);
  const auto subtype = range.substr(slash + 1);
  if (type.empty() || subtype.empty() || (type == "*" && subtype != "*")) return;
  int weight = 1000;
  bool charset = false;
  while (!element.empty()) {
    const auto parameter = trim_blanks(next_part(element, ';'));
    if (parameter.empty()) continue;  // "text/html;" is allowed
    const auto equals = parameter.find('=');
    if (equals == std::string_view::npos) return;  // malformed
    const auto name = trim_blanks(parameter.substr(0, equals));
    const auto value = trim_blanks(parameter.substr(equals + 1));
    if (equals_ignoring_case(name, "q")) {
      weight = read_weight(value);
      if (weight < 0) return;
    } else if (is_our_charset(name, value)) {
      charset = true;
    } else {
      return;  // a range for a type with parameters ours lack
    }
  }
  const bool any_type = type == "*";
  if (!any_type && !equals_ignoring_case(type, "text")) return;
  const bool any_subtype = subtype == "*";
  const int specificity = any_type ? 1 : any_subtype ? 2 : charset ? 4 : 3;
  // The most specific range wins; among equals, the first.
  const auto take = [&](Best& best) {
    if (specificity > best.specificity) best = {specificity, weight};
  };
  if (any_subtype || equals_ignoring_case(subtype, "html")) take(html_);
  if (any_subtype || equals_ignoring_case(subtype, "plain")) take(plain_);
}

bool ErrorMediaChoice::prefers_html() const noexcept {
  if (!seen_) return false;
  // A type no range applies to is not acceptable (weight 0).
  return html_.weight > plain_.weight;
}

}  // namespace netcook::proto::http
