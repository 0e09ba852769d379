#pragma once

// A request head as the parser found it: views into the connection's
// buffer, valid until that buffer changes.

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

namespace netcook::proto::http {

// More header fields than this is an error (431), like picohttpparser's
// fixed header array.
inline constexpr std::size_t kMaxFields = 100;

struct Field {
  std::string_view name;   // a token; compare case-insensitively
  std::string_view value;  // without leading and trailing whitespace
};

struct RequestHead {
  std::string_view method;  // a token, case-sensitive
  std::string_view target;  // as sent
  int minor_version = 1;    // HTTP/1.<minor>
  std::array<Field, kMaxFields> storage;
  std::size_t field_count = 0;

  std::span<const Field> fields() const noexcept { return {storage.data(), field_count}; }
};

// ASCII case-insensitive equality, for field names and tokens.
bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept;

}  // namespace netcook::proto::http
