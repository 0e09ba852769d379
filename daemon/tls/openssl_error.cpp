#include "tls/openssl_error.hpp"

#include <openssl/err.h>

#include <array>

namespace netcook::tls::detail {

std::string take_openssl_reason(const std::string& fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  // The reason alone reads best after our own "certificate PATH: ".
  if (const char* reason = ERR_reason_error_string(code); reason != nullptr) return reason;
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  return text.data();
}

}  // namespace netcook::tls::detail
