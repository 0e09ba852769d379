#include "tls/openssl_error.hpp"

#include <openssl/err.h>

#include <array>
#include <string_view>

namespace netcook::tls::detail {

std::string take_openssl_reason(const std::string& fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  // "error:CODE:LIBRARY:FUNCTION:REASON": the reason alone reads best
  // after our own "certificate PATH: " (and system errors have no reason
  // string of their own, only this text).
  std::array<char, 256> buffer{};
  ERR_error_string_n(code, buffer.data(), buffer.size());
  const std::string_view text = buffer.data();
  std::size_t start = 0;
  for (int field = 0; field < 4 && start != std::string_view::npos; ++field) {
    start = text.find(':', start);
    if (start != std::string_view::npos) ++start;
  }
  if (start == std::string_view::npos || start == text.size()) return std::string(text);
  return std::string(text.substr(start));
}

}  // namespace netcook::tls::detail
