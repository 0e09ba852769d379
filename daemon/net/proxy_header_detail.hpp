#pragma once

// The parts parse_proxy_header (net/proxy_header.hpp) is made of, shared by
// its v1 and v2 halves; not for other code.

#include "net/proxy_header.hpp"

#include <cstring>
#include <string>
#include <string_view>

namespace netcook::net::proxy_detail {

inline constexpr std::string_view kV1Start = "PROXY ";
inline constexpr std::string_view kV2Signature{"\r\n\r\n\0\r\nQUIT\n", 12};

ProxyParse incomplete();
ProxyParse invalid(std::string error);
ProxyParse complete(const ProxyHeader& header);

// Whether `bytes` may still turn out to start with `whole`: it does, or it is
// a prefix of it.
bool may_become(std::string_view bytes, std::string_view whole);

// Copies a sockaddr_in or sockaddr_in6 into `storage`; returns its length.
template <typename SocketAddress>
socklen_t store(const SocketAddress& address, sockaddr_storage& storage) {
  static_assert(sizeof address <= sizeof storage);
  std::memcpy(&storage, &address, sizeof address);
  return sizeof address;
}

// The text form, for bytes that start with 'P'.
ProxyParse parse_v1(std::string_view bytes);
// The binary form, for bytes that start with '\r'.
ProxyParse parse_v2(std::string_view bytes);

}  // namespace netcook::net::proxy_detail
