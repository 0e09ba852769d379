// Fuzzes the PROXY protocol header parser with the bytes a connection
// starts with. Whatever they are:
// - the answer is the same on every call (the parser keeps no state);
// - it is decided at one byte and never changes after it: every shorter
//   prefix is incomplete, every longer one gives the same answer (so bytes
//   after a header are not looked at, and a prefix of a complete header is
//   incomplete), and it is decided within 107 bytes for v1 and
//   kMaxProxyHeader for v2;
// - a complete header's length is where it was decided, within the input
//   and kMaxProxyHeader, and its addresses agree with the bytes as read here
//   apart from the parser: a v1 line rebuilt from them, a v2 block copied;
// - an invalid one says why.
//
// Input: the bytes received, as they are. The seed v2-tcp4-longest (a
// header of kMaxProxyHeader bytes and one more) lifts libFuzzer's default
// -max_len of 4096 to where the longest header fits.

#include "input_reader.hpp"
#include "net/proxy_header.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace {

using netcook::fuzz::check;
using netcook::net::kMaxProxyHeader;
using netcook::net::kMaxProxyV1Line;
using netcook::net::parse_proxy_header;
using netcook::net::ProxyHeader;
using netcook::net::ProxyParse;
using Status = ProxyParse::Status;

constexpr std::string_view kV2Signature{"\r\n\r\n\0\r\nQUIT\n", 12};

bool same_address(const sockaddr_storage& a, socklen_t a_length, const sockaddr_storage& b,
                  socklen_t b_length) {
  return a_length == b_length && std::memcmp(&a, &b, a_length) == 0;
}

bool same(const ProxyParse& a, const ProxyParse& b) {
  return a.status == b.status && a.error == b.error && a.header.command == b.header.command &&
         a.header.length == b.header.length &&
         same_address(a.header.source, a.header.source_length, b.header.source,
                      b.header.source_length) &&
         same_address(a.header.destination, a.header.destination_length, b.header.destination,
                      b.header.destination_length);
}

// An address is a whole sockaddr_in or sockaddr_in6, or none.
int family_of(const sockaddr_storage& address, socklen_t length) {
  if (length == 0) return AF_UNSPEC;
  const int family = address.ss_family;
  check((family == AF_INET && length == sizeof(sockaddr_in)) ||
        (family == AF_INET6 && length == sizeof(sockaddr_in6)));
  return family;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// The text's address and port are the parsed one's: for IPv4 the text is
// the one canonical form (no leading zeros), for IPv6 any inet_pton form.
void check_v1_address(int family, std::string_view address, std::string_view port,
                      const sockaddr_storage& parsed) {
  if (family == AF_INET) {
    std::array<char, INET_ADDRSTRLEN> text{};
    const auto& in = reinterpret_cast<const sockaddr_in&>(parsed);
    check(std::to_string(ntohs(in.sin_port)) == port);
    check(inet_ntop(AF_INET, &in.sin_addr, text.data(), text.size()) != nullptr);
    check(address == text.data());
    return;
  }
  in6_addr binary{};
  check(inet_pton(AF_INET6, std::string(address).c_str(), &binary) == 1);
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(parsed);
  check(std::to_string(ntohs(in6.sin6_port)) == port);
  check(std::memcmp(&binary, &in6.sin6_addr, sizeof binary) == 0);
}

void check_v1(std::string_view input, const ProxyHeader& header, int family) {
  check(header.length >= 15 && header.length <= kMaxProxyV1Line);  // "PROXY UNKNOWN\r\n"
  const auto line = input.substr(0, header.length);
  check(line.ends_with("\r\n"));
  check(line.find_first_of("\r\n") == line.size() - 2);
  check(header.command == ProxyHeader::Command::proxy);
  const auto parts = split(line.substr(0, line.size() - 2), ' ');
  check(parts[0] == "PROXY");
  if (family == AF_UNSPEC) {
    check(parts[1] == "UNKNOWN");
    return;
  }
  check(parts.size() == 6);
  check(parts[1] == (family == AF_INET ? "TCP4" : "TCP6"));
  check_v1_address(family, parts[2], parts[4], header.source);
  check_v1_address(family, parts[3], parts[5], header.destination);
}

void check_v2(std::string_view input, const ProxyHeader& header, int family) {
  check(input.starts_with(kV2Signature));
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(input[i]); };
  check(header.length == 16u + (byte(14) << 8 | byte(15)));
  check((byte(12) >> 4) == 2);
  const bool proxy = (byte(12) & 0xf) == 1;
  check(proxy == (header.command == ProxyHeader::Command::proxy));
  if (family == AF_UNSPEC) {
    check(!proxy || (byte(13) != 0x11 && byte(13) != 0x21));
    return;
  }
  check(proxy && byte(13) == (family == AF_INET ? 0x11 : 0x21));
  const auto& source = header.source;
  const auto& destination = header.destination;
  const char* block = input.data() + 16;
  if (family == AF_INET) {
    const auto& in_source = reinterpret_cast<const sockaddr_in&>(source);
    const auto& in_destination = reinterpret_cast<const sockaddr_in&>(destination);
    check(std::memcmp(&in_source.sin_addr, block, 4) == 0);
    check(std::memcmp(&in_destination.sin_addr, block + 4, 4) == 0);
    check(std::memcmp(&in_source.sin_port, block + 8, 2) == 0);
    check(std::memcmp(&in_destination.sin_port, block + 10, 2) == 0);
    return;
  }
  const auto& in6_source = reinterpret_cast<const sockaddr_in6&>(source);
  const auto& in6_destination = reinterpret_cast<const sockaddr_in6&>(destination);
  check(std::memcmp(&in6_source.sin6_addr, block, 16) == 0);
  check(std::memcmp(&in6_destination.sin6_addr, block + 16, 16) == 0);
  check(std::memcmp(&in6_source.sin6_port, block + 32, 2) == 0);
  check(std::memcmp(&in6_destination.sin6_port, block + 34, 2) == 0);
}

void check_complete(std::string_view input, const ProxyHeader& header, std::size_t decided) {
  check(header.length == decided);
  check(header.length <= input.size() && header.length <= kMaxProxyHeader);
  const int family = family_of(header.source, header.source_length);
  check(family == family_of(header.destination, header.destination_length));
  if (input.front() == 'P')
    check_v1(input, header, family);
  else
    check_v2(input, header, family);
}

void check_invalid(const ProxyParse& parse) {
  const auto& error = parse.error;
  check(error == "not a PROXY header" || error.starts_with("v1: ") || error.starts_with("v2: "));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parse = parse_proxy_header(input);
  check(same(parse, parse_proxy_header(input)));

  // Where the answer is decided: every prefix before is incomplete.
  std::size_t decided = 0;
  while (decided <= input.size() &&
         parse_proxy_header(input.substr(0, decided)).status == Status::incomplete)
    ++decided;
  if (decided > input.size()) {
    check(parse.status == Status::incomplete);
    check(input.size() < (input.starts_with("P") ? kMaxProxyV1Line : kMaxProxyHeader));
    return 0;
  }
  check(decided <= (input.front() == 'P' ? kMaxProxyV1Line : kMaxProxyHeader));
  // From there on, the same answer, whatever follows.
  const auto first = parse_proxy_header(input.substr(0, decided));
  check(same(first, parse));
  check(same(first, parse_proxy_header(input.substr(0, decided + 1))));
  check(first.status != Status::incomplete);
  if (first.status == Status::complete)
    check_complete(input, first.header, decided);
  else
    check_invalid(first);
  return 0;
}
