#include "proto/http/parser.hpp"

#include "proto/http/blanks.hpp"

#include <algorithm>

namespace netcook::proto::http {
namespace {

// Longest method we accept; real ones are short, and a long first word is
// more likely garbage than a method.
constexpr std::size_t kMaxMethod = 32;
// Request line beyond the target: method, two spaces, "HTTP/1.1", a CR.
constexpr std::size_t kLineOverhead = kMaxMethod + 2 + 8 + 1;

constexpr bool is_token_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) noexcept {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
}

// field-value characters: VCHAR, obs-text, SP, HTAB.
constexpr bool is_value_char(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return c == '\t' || (byte >= 0x20 && byte != 0x7F);
}

// request-target characters: visible ASCII (the target is checked further
// by whoever interprets it).
constexpr bool is_target_char(char c) noexcept {
  return c > 0x20 && c < 0x7F;
}

ParseResult invalid(int status, std::string_view reason) noexcept {
  return {Progress::invalid, 0, status, reason, {}};
}

constexpr ParseResult kIncomplete{};
constexpr ParseResult kLineDone{Progress::complete, 0, 0, {}, {}};

std::string_view without_cr(std::string_view line) noexcept {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

ParseResult HeadParser::parse(std::string_view buffer, RequestHead& head) noexcept {
  ParseResult result = scan_head(buffer, head);
  // Whatever became of the head, its request line is known once read.
  if (line_size_ != 0 && result.progress != Progress::incomplete)
    result.request_line = buffer.substr(start_, line_size_);
  return result;
}

ParseResult HeadParser::scan_head(std::string_view buffer, RequestHead& head) noexcept {
  // Empty lines before a request line are ignored (RFC 9112 section 2.2),
  // within the head's size limit.
  while (!in_fields_ && scanned_ == start_ && scanned_ < buffer.size()) {
    if (buffer[scanned_] == '\n') {
      start_ = line_start_ = ++scanned_;
    } else if (buffer[scanned_] == '\r') {
      if (scanned_ + 1 == buffer.size()) return kIncomplete;
      if (buffer[scanned_ + 1] != '\n') return invalid(400, "bare CR");
      scanned_ += 2;
      start_ = line_start_ = scanned_;
    } else {
      break;
    }
    if (start_ > limits_.max_head) return invalid(400, "too many empty lines");
  }

  if (!in_fields_) {
    const ParseResult line = scan_request_line(buffer);
    if (line.progress != Progress::complete) return line;
  }

  while (true) {
    const auto newline = buffer.find('\n', scanned_);
    if (newline == std::string_view::npos) {
      scanned_ = buffer.size();
      if (buffer.size() - start_ > limits_.max_head) return invalid(431, "request head too large");
      return kIncomplete;
    }
    scanned_ = newline + 1;
    if (scanned_ - start_ > limits_.max_head) return invalid(431, "request head too large");
    const auto line = without_cr(buffer.substr(line_start_, newline - line_start_));
    if (line.empty()) {
      fill(buffer, head);
      return {Progress::complete, scanned_, 0, {}, {}};
    }
    const ParseResult field = check_field(line_start_, line);
    if (field.progress == Progress::invalid) return field;
    line_start_ = scanned_;
  }
}

ParseResult HeadParser::scan_request_line(std::string_view buffer) noexcept {
  const auto newline = buffer.find('\n', scanned_);
  const std::size_t longest = std::min(limits_.max_target + kLineOverhead, limits_.max_head);
  if (newline == std::string_view::npos) {
    scanned_ = buffer.size();
    const auto partial = buffer.substr(start_);
    return partial.size() > longest ? overlong_line(partial.substr(0, longest + 1)) : kIncomplete;
  }
  scanned_ = newline + 1;
  const auto line = buffer.substr(start_, newline - start_);
  if (line.size() > longest) return overlong_line(line.substr(0, longest + 1));
  const ParseResult checked = check_request_line(without_cr(line));
  if (checked.progress == Progress::invalid) return checked;
  in_fields_ = true;
  line_start_ = scanned_;
  return kLineDone;
}

// A request line longer than any valid one is judged on its first bytes
// only (`window`), so the answer does not depend on how it arrived, and a
// slow sender costs nothing per byte before that.
ParseResult HeadParser::overlong_line(std::string_view window) const noexcept {
  const auto space = window.find(' ');
  if (space == std::string_view::npos || space == 0 || space > kMaxMethod ||
      !is_token(window.substr(0, space)))
    return invalid(400, "malformed request line");
  const auto target_end = window.find(' ', space + 1);
  if (target_end == std::string_view::npos || target_end - space - 1 > limits_.max_target)
    return invalid(414, "request target too long");
  return invalid(400, "malformed request line");
}

ParseResult HeadParser::check_request_line(std::string_view line) noexcept {
  const auto first_space = line.find(' ');
  if (first_space == std::string_view::npos || first_space == 0 || first_space > kMaxMethod ||
      !is_token(line.substr(0, first_space)))
    return invalid(400, "malformed request line");
  const auto rest = line.substr(first_space + 1);
  const auto second_space = rest.find(' ');
  if (second_space == std::string_view::npos || second_space == 0)
    return invalid(400, "malformed request line");
  const auto target = rest.substr(0, second_space);
  if (target.size() > limits_.max_target) return invalid(414, "request target too long");
  if (!std::all_of(target.begin(), target.end(), is_target_char))
    return invalid(400, "invalid character in request target");
  const auto version = rest.substr(second_space + 1);
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (version.size() != 8 || !version.starts_with("HTTP/") || !is_digit(version[5]) ||
      version[6] != '.' || !is_digit(version[7]))
    return invalid(400, "malformed HTTP version");
  method_size_ = first_space;
  target_at_ = first_space + 1;
  target_size_ = target.size();
  line_size_ = line.size();
  if (version[5] != '1' || version[7] > '1') return invalid(505, "HTTP version not supported");
  minor_version_ = version[7] - '0';
  return kLineDone;
}

ParseResult HeadParser::check_field(std::size_t at, std::string_view line) noexcept {
  if (field_count_ == kMaxFields) return invalid(431, "too many header fields");
  if (is_blank(line.front())) return invalid(400, "obsolete line folding");
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return invalid(400, "header line without a colon");
  const auto name = line.substr(0, colon);
  if (name.empty()) return invalid(400, "empty header name");
  if (is_blank(name.back())) return invalid(400, "whitespace before colon");
  if (!is_token(name)) return invalid(400, "invalid character in header name");
  std::size_t value_at = colon + 1;
  std::size_t value_end = line.size();
  while (value_at < value_end && is_blank(line[value_at])) ++value_at;
  while (value_end > value_at && is_blank(line[value_end - 1])) --value_end;
  const auto value = line.substr(value_at, value_end - value_at);
  if (!std::all_of(value.begin(), value.end(), is_value_char))
    return invalid(400, "invalid character in header value");
  fields_[field_count_++] = {at, name.size(), at + value_at, value.size()};
  return kLineDone;
}

void HeadParser::fill(std::string_view buffer, RequestHead& head) const noexcept {
  head.method = buffer.substr(start_, method_size_);
  head.target = buffer.substr(start_ + target_at_, target_size_);
  head.minor_version = minor_version_;
  head.field_count = field_count_;
  for (std::size_t i = 0; i < field_count_; ++i) {
    const auto& field = fields_[i];
    head.storage[i] = {buffer.substr(field.name_at, field.name_size),
                       buffer.substr(field.value_at, field.value_size)};
  }
}

}  // namespace netcook::proto::http
