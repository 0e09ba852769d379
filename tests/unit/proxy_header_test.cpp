// The PROXY protocol header parser (net/proxy_header.hpp): every form v1 and
// v2 allow, as haproxy sends them (bytes captured from Debian's haproxy
// 2.6.12 with send-proxy, send-proxy-v2, proxy-v2-options and a v2 health
// check, in front of a capturing listener), cut at every byte; and the
// invalid ones, each refused as soon as its bytes cannot become a header.

#include "net/proxy_header.hpp"
#include "net/address.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <netinet/in.h>
#include <sys/mman.h>
#include <unistd.h>

namespace netcook::net {
namespace {

using Status = ProxyParse::Status;
using Command = ProxyHeader::Command;

std::string from_hex(std::string_view hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return bytes;
}

std::string signature() {
  return from_hex("0d0a0d0a000d0a515549540a");
}

// A v2 header: signature, version and command, family and transport, the
// length of `rest`, then `rest`.
std::string v2(unsigned version_command, unsigned family_transport, const std::string& rest) {
  std::string header = signature();
  header += static_cast<char>(version_command);
  header += static_cast<char>(family_transport);
  header += static_cast<char>(rest.size() >> 8);
  header += static_cast<char>(rest.size() & 0xff);
  return header + rest;
}

std::string tlv(unsigned type, const std::string& value) {
  std::string bytes(1, static_cast<char>(type));
  bytes += static_cast<char>(value.size() >> 8);
  bytes += static_cast<char>(value.size() & 0xff);
  return bytes + value;
}

// 192.0.2.1:4660 to 198.51.100.2:80, and 2001:db8::1:4660 to 2001:db8::2:443.
std::string inet_block() {
  return from_hex(
      "c0000201"
      "c6336402"
      "1234"
      "0050");
}

std::string inet6_block() {
  return from_hex(
      "20010db8000000000000000000000001"
      "20010db8000000000000000000000002"
      "1234"
      "01bb");
}

std::string text_of(const sockaddr_storage& address, socklen_t length) {
  if (length == 0) return "";
  return format_sockaddr(reinterpret_cast<const sockaddr*>(&address), length);
}

struct Valid {
  std::string name;
  std::string header;
  Command command;
  std::string source;  // format_sockaddr's text; "" for none
  std::string destination;
};

std::vector<Valid> valid_headers() {
  return {
      {"haproxy v1 TCP4", "PROXY TCP4 127.0.0.5 127.0.0.1 46763 17101\r\n", Command::proxy,
       "127.0.0.5:46763", "127.0.0.1:17101"},
      {"haproxy v1 TCP6", "PROXY TCP6 ::1 ::1 53101 17101\r\n", Command::proxy, "[::1]:53101",
       "[::1]:17101"},
      {"v1 TCP4 longest", "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n",
       Command::proxy, "255.255.255.255:65535", "255.255.255.255:65535"},
      {"v1 TCP4 zeros", "PROXY TCP4 0.0.0.0 10.0.0.1 0 0\r\n", Command::proxy, "0.0.0.0:0",
       "10.0.0.1:0"},
      {"v1 TCP6 full, upper case",
       "PROXY TCP6 2001:0DB8:0000:0000:0000:0000:0000:0001 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
       "65535 1\r\n",
       Command::proxy, "[2001:db8::1]:65535", "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:1"},
      // An AF_INET6 address (see AddressesAreSocketAddressesOfTheirFamily), which
      // format_sockaddr writes as the IPv4 address it maps.
      {"v1 TCP6 IPv4-mapped", "PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n", Command::proxy,
       "192.0.2.1:1", "[::1]:2"},
      {"v1 UNKNOWN short", "PROXY UNKNOWN\r\n", Command::proxy, "", ""},
      {"v1 UNKNOWN longest",
       "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n",
       Command::proxy, "", ""},
      {"v1 UNKNOWN anything", "PROXY UNKNOWN  whatever\t it  says\r\n", Command::proxy, "", ""},
      {"haproxy v2 TCP4", from_hex("0d0a0d0a000d0a515549540a2111000c7f0000067f000001c64942ce"),
       Command::proxy, "127.0.0.6:50761", "127.0.0.1:17102"},
      {"haproxy v2 TCP6",
       from_hex("0d0a0d0a000d0a515549540a21210024000000000000000000000000000000010000000000000000"
                "000000000000000198cf42ce"),
       Command::proxy, "[::1]:39119", "[::1]:17102"},
      {"haproxy v2 TCP4, crc32c and unique-id TLVs",
       from_hex("0d0a0d0a000d0a515549540a2111003f7f0000077f000001aca142cf030004b9782ada05002937"
                "463030303030373a414341315f37463030303030313a343243465f36423136363445425f30303034"),
       Command::proxy, "127.0.0.7:44193", "127.0.0.1:17103"},
      {"haproxy v2 LOCAL health check", from_hex("0d0a0d0a000d0a515549540a20000000"),
       Command::local, "", ""},
      {"v2 TCP6 with TLVs",
       v2(0x21, 0x21, inet6_block() + tlv(0x02, "example.org") + tlv(0x04, "")), Command::proxy,
       "[2001:db8::1]:4660", "[2001:db8::2]:443"},
      {"v2 TCP4 longest", v2(0x21, 0x11, inet_block() + tlv(0x04, std::string(4096 - 12 - 3, 'x'))),
       Command::proxy, "192.0.2.1:4660", "198.51.100.2:80"},
      {"v2 LOCAL with addresses", v2(0x20, 0x11, inet_block()), Command::local, "", ""},
      {"v2 LOCAL, family ignored", v2(0x20, 0xff, "\x01"), Command::local, "", ""},
      {"v2 PROXY UNSPEC", v2(0x21, 0x00, ""), Command::proxy, "", ""},
      {"v2 PROXY UNSPEC with bytes", v2(0x21, 0x00, "\x01\x02"), Command::proxy, "", ""},
      {"v2 AF_INET, transport UNSPEC", v2(0x21, 0x10, "\x01"), Command::proxy, "", ""},
      {"v2 UDP4: no address", v2(0x21, 0x12, inet_block()), Command::proxy, "", ""},
      {"v2 UDP6: no address", v2(0x21, 0x22, inet6_block() + tlv(0x04, "ab")), Command::proxy, "",
       ""},
      {"v2 AF_UNIX stream", v2(0x21, 0x31, std::string(216, '\0')), Command::proxy, "", ""},
      {"v2 AF_UNIX datagram", v2(0x21, 0x32, std::string(216, 'a') + tlv(0xe0, "z")),
       Command::proxy, "", ""},
  };
}

void expect_parsed(const Valid& valid, const ProxyParse& parse) {
  ASSERT_EQ(parse.status, Status::complete) << valid.name << ": " << parse.error;
  EXPECT_EQ(parse.header.length, valid.header.size()) << valid.name;
  EXPECT_EQ(parse.header.command, valid.command) << valid.name;
  EXPECT_EQ(text_of(parse.header.source, parse.header.source_length), valid.source) << valid.name;
  EXPECT_EQ(text_of(parse.header.destination, parse.header.destination_length), valid.destination)
      << valid.name;
}

TEST(ProxyHeader, ParsesEveryValidForm) {
  for (const auto& valid : valid_headers()) expect_parsed(valid, parse_proxy_header(valid.header));
}

TEST(ProxyHeader, EveryPrefixOfAHeaderIsIncomplete) {
  for (const auto& valid : valid_headers())
    for (std::size_t length = 0; length < valid.header.size(); ++length) {
      const auto parse = parse_proxy_header(std::string_view(valid.header).substr(0, length));
      ASSERT_EQ(parse.status, Status::incomplete)
          << valid.name << " cut at " << length << ": " << parse.error;
    }
}

// What follows the header (the relayed stream, another header, garbage) is
// not looked at; the header's length says where it starts.
TEST(ProxyHeader, BytesAfterTheHeaderAreNotLookedAt) {
  const std::vector<std::string> afters = {"GET / HTTP/1.1\r\n",
                                           "hello\n",
                                           std::string("\0\xff\r\n", 4),
                                           "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
                                           signature(),
                                           std::string(kMaxProxyHeader, 'x')};
  for (const auto& valid : valid_headers())
    for (const auto& after : afters) expect_parsed(valid, parse_proxy_header(valid.header + after));
}

// The header as it arrives in reads of any size: the connection core keeps
// what it received and asks again after each read.
TEST(ProxyHeader, CompleteOnlyWithTheLastByteOfAnyRead) {
  for (const auto& valid : valid_headers()) {
    const std::string stream = valid.header + "after";
    for (std::size_t read = 1; read <= 7; ++read) {
      std::size_t received = 0;
      ProxyParse parse;
      while (parse.status == Status::incomplete && received < stream.size()) {
        received = std::min(stream.size(), received + read);
        parse = parse_proxy_header(std::string_view(stream).substr(0, received));
      }
      expect_parsed(valid, parse);
      EXPECT_LT(received - valid.header.size(), read) << valid.name;
    }
  }
}

struct Invalid {
  std::string bytes;  // the shortest input refused: every prefix is incomplete
  std::string error;  // a fragment of the reason
};

std::vector<Invalid> invalid_inputs() {
  const std::string kTcp4 = "PROXY TCP4 192.0.2.1 198.51.100.2 ";
  return {
      {"G", "not a PROXY header"},
      {"p", "not a PROXY header"},
      {"\x16", "not a PROXY header"},
      {"PROXX", "not a PROXY header"},
      {"PROXY\t", "not a PROXY header"},
      {"\r\n\r\n\r", "not a PROXY header"},  // blank lines are not the v2 signature
      {from_hex("0d0a0d0a000d0a515549540b"), "not a PROXY header"},
      {"PROXY t", "v1: unknown protocol"},  // "PROXY tcp4": refused at its 't'
      {"PROXY TCP5", "v1: unknown protocol"},
      {"PROXY UNKNOWNX", "v1: unknown protocol"},
      {"PROXY  ", "v1: unknown protocol"},
      {"PROXY \r", "v1: unknown protocol"},
      {"PROXY TCP4\r", "v1: missing source address"},
      {"PROXY TCP4  ", "v1: bad source address"},
      {"PROXY TCP4 192.0.2.01", "v1: bad source address"},
      {"PROXY TCP4 192.0.2.256", "v1: bad source address"},
      {"PROXY TCP4 192.0.2.1.", "v1: bad source address"},
      {"PROXY TCP4 192.0.2 ", "v1: bad source address"},
      {"PROXY TCP4 192.0..", "v1: bad source address"},
      {"PROXY TCP4 :", "v1: bad source address"},
      {"PROXY TCP4 192.0.2.1\r", "v1: missing destination address"},
      {"PROXY TCP4 192.0.2.1  ", "v1: bad destination address"},
      {"PROXY TCP4 192.0.2.1 -", "v1: bad destination address"},
      {"PROXY TCP6 192.0.2.1 ", "v1: bad source address"},
      {"PROXY TCP6 ::1 ::g", "v1: bad destination address"},
      {"PROXY TCP6 ::1 1::2::3 ", "v1: bad destination address"},
      {"PROXY TCP6 " + std::string(46, '1'), "v1: bad source address"},
      {kTcp4 + "01", "v1: bad source port"},
      {kTcp4 + "65536", "v1: bad source port"},
      {kTcp4 + "+", "v1: bad source port"},
      {kTcp4 + " ", "v1: bad source port"},
      {kTcp4 + "\r", "v1: bad source port"},
      {kTcp4 + "80\r", "v1: missing destination port"},
      {kTcp4 + "80 70000", "v1: bad destination port"},
      {kTcp4 + "80 0x", "v1: bad destination port"},
      {kTcp4 + "80 443 ", "v1: more after the destination port"},
      {kTcp4 + "80 443\n", "v1: LF without CR"},
      {kTcp4 + "80 443\r\r", "v1: CR without LF"},
      {"PROXY UNKNOWN\n", "v1: LF without CR"},
      {"PROXY UNKNOWN a\n", "v1: LF without CR"},
      {"PROXY UNKNOWN" + std::string(94, ' '), "v1: no CRLF within 107 bytes"},
      {"PROXY UNKNOWN" + std::string(93, ' ') + "\r", "v1: no CRLF within 107 bytes"},
      {signature() + "\x11", "v2: unsupported version 1"},
      {signature() + "\x31", "v2: unsupported version 3"},
      {signature() + "\x01", "v2: unsupported version 0"},
      {signature() + "\x22", "v2: unsupported command 2"},
      {signature() + "\x2f", "v2: unsupported command 15"},
      {signature() + "\x21\x41", "v2: unsupported address family 4"},
      {signature() + "\x21\x13", "v2: unsupported transport 3"},
      {signature() + "\x21\x11" + from_hex("000b"), "v2: length 11 too short for AF_INET (12"},
      {signature() + "\x21\x12" + from_hex("0000"), "v2: length 0 too short for AF_INET (12"},
      {signature() + "\x21\x21" + from_hex("0023"), "v2: length 35 too short for AF_INET6 (36"},
      {signature() + "\x21\x31" + from_hex("00d7"), "v2: length 215 too short for AF_UNIX (216"},
      {signature() + from_hex("21001001"), "v2: header of 4113 bytes, over the limit"},
      {signature() + from_hex("2000ffff"), "v2: header of 65551 bytes, over the limit"},
      {v2(0x21, 0x11, inet_block() + "\x04"), "v2: TLV beyond the header's length"},
      {v2(0x21, 0x11, inet_block() + from_hex("0400")), "v2: TLV beyond the header's length"},
      {v2(0x21, 0x21, inet6_block() + tlv(0x04, "") + from_hex("040001")),
       "v2: TLV beyond the header's length"},
  };
}

std::string printable(std::string_view bytes) {
  std::string text;
  for (const char c : bytes)
    if (c >= 0x20 && c < 0x7f) {
      text += c;
    } else {
      constexpr std::string_view kHex = "0123456789abcdef";
      text += {'\\', 'x', kHex[(c >> 4) & 0xf], kHex[c & 0xf]};
    }
  return text;
}

TEST(ProxyHeader, RefusesInvalidInputsAsSoonAsTheyCannotBeAHeader) {
  for (const auto& invalid : invalid_inputs()) {
    const auto name = printable(invalid.bytes);
    for (std::size_t length = 0; length < invalid.bytes.size(); ++length)
      ASSERT_EQ(parse_proxy_header(std::string_view(invalid.bytes).substr(0, length)).status,
                Status::incomplete)
          << name << " cut at " << length;
    // However many bytes follow, the answer is the same.
    for (const auto& input : {invalid.bytes, invalid.bytes + "\r\n" + std::string(5000, 'x')}) {
      const auto parse = parse_proxy_header(input);
      ASSERT_EQ(parse.status, Status::invalid) << name;
      EXPECT_NE(parse.error.find(invalid.error), std::string::npos)
          << name << ": \"" << parse.error << "\" lacks \"" << invalid.error << "\"";
    }
  }
}

TEST(ProxyHeader, NothingIsEmptyOrIncompleteForever) {
  EXPECT_EQ(parse_proxy_header("").status, Status::incomplete);
  // A v1 line is decided within 107 bytes, a v2 header within kMaxProxyHeader.
  EXPECT_EQ(parse_proxy_header("PROXY UNKNOWN" + std::string(200, 'x')).status, Status::invalid);
  EXPECT_EQ(parse_proxy_header(v2(0x21, 0x00, std::string(4096, 'x'))).status, Status::complete);
}

// An input that ends exactly at an unreadable page: reading one byte too far
// faults.
TEST(ProxyHeader, NeverReadsPastTheBytes) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t size = 4 * page;
  ASSERT_GE(3 * page, kMaxProxyHeader);
  void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(memory, MAP_FAILED);
  char* guard = static_cast<char*>(memory) + 3 * page;
  ASSERT_EQ(::mprotect(guard, page, PROT_NONE), 0);
  std::vector<std::string> inputs;
  for (const auto& valid : valid_headers()) inputs.push_back(valid.header);
  for (const auto& invalid : invalid_inputs()) inputs.push_back(invalid.bytes);
  for (const auto& input : inputs)
    for (std::size_t length = 0; length <= input.size(); ++length) {
      char* start = guard - length;
      std::memcpy(start, input.data(), length);
      parse_proxy_header(std::string_view(start, length));
    }
  ::munmap(memory, size);
}

TEST(ProxyHeader, AddressesAreSocketAddressesOfTheirFamily) {
  auto parse = parse_proxy_header("PROXY TCP4 192.0.2.1 198.51.100.2 4660 80\r\n");
  ASSERT_EQ(parse.status, Status::complete);
  ASSERT_EQ(parse.header.source_length, sizeof(sockaddr_in));
  ASSERT_EQ(parse.header.destination_length, sizeof(sockaddr_in));
  const auto& in = reinterpret_cast<const sockaddr_in&>(parse.header.source);
  EXPECT_EQ(in.sin_family, AF_INET);
  EXPECT_EQ(ntohs(in.sin_port), 4660);
  EXPECT_EQ(ntohl(in.sin_addr.s_addr), 0xc0000201u);

  parse = parse_proxy_header(v2(0x21, 0x21, inet6_block()));
  ASSERT_EQ(parse.status, Status::complete);
  ASSERT_EQ(parse.header.source_length, sizeof(sockaddr_in6));
  ASSERT_EQ(parse.header.destination_length, sizeof(sockaddr_in6));
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(parse.header.destination);
  EXPECT_EQ(in6.sin6_family, AF_INET6);
  EXPECT_EQ(ntohs(in6.sin6_port), 443);
  EXPECT_EQ(in6.sin6_scope_id, 0u);
  EXPECT_EQ(in6.sin6_flowinfo, 0u);

  parse = parse_proxy_header("PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n");
  ASSERT_EQ(parse.status, Status::complete);
  ASSERT_EQ(parse.header.source_length, sizeof(sockaddr_in6));
  EXPECT_EQ(reinterpret_cast<const sockaddr_in6&>(parse.header.source).sin6_family, AF_INET6);
}

}  // namespace
}  // namespace netcook::net
