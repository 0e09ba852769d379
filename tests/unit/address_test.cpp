// Listen addresses: parsing, conflicts and socket-address text
// (net/address.hpp).

#include "net/address.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

namespace netcook::net {
namespace {

Address parse(std::string_view text) {
  std::string error;
  auto address = parse_address(text, error);
  EXPECT_TRUE(address) << text << ": " << error;
  return address.value_or(Address{});
}

std::string parse_error(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parse_address(text, error)) << text;
  return error;
}

TEST(ParseAddress, Ipv4) {
  EXPECT_EQ(parse("127.0.0.1:7007"),
            (Address{Address::Kind::inet4, "127.0.0.1", 7007}));
  EXPECT_EQ(parse("0.0.0.0:0"), (Address{Address::Kind::inet4, "0.0.0.0", 0}));
  EXPECT_EQ(parse("10.0.0.1:65535").port, 65535);
  EXPECT_EQ(parse("10.0.0.1:080").port, 80);
}

TEST(ParseAddress, Ipv6IsCanonicalWithoutBrackets) {
  EXPECT_EQ(parse("[::1]:7007"), (Address{Address::Kind::inet6, "::1", 7007}));
  EXPECT_EQ(parse("[0:0:0::1]:80").host, "::1");
  EXPECT_EQ(parse("[2001:DB8::1]:80").host, "2001:db8::1");
  EXPECT_EQ(parse("[::ffff:1.2.3.4]:80").host, "::ffff:1.2.3.4");
}

TEST(ParseAddress, Wildcard) {
  EXPECT_EQ(parse("*:7007"), (Address{Address::Kind::any, "*", 7007}));
}

TEST(ParseAddress, UnixPath) {
  EXPECT_EQ(parse("unix:/run/netcookd/echo.sock"),
            (Address{Address::Kind::unix_path, "/run/netcookd/echo.sock", 0}));
  const std::string longest(sizeof(sockaddr_un::sun_path) - 2, 'a');
  EXPECT_EQ(parse("unix:/" + longest).host.size(), 107u);
}

TEST(ParseAddress, NoDnsNames) {
  EXPECT_EQ(parse_error("localhost:80"),
            "'localhost' is not a numeric address (no DNS names); use "
            "IPv4:port, [IPv6]:port, *:port or unix:/path");
  EXPECT_EQ(parse_error("example.com:80"),
            "'example.com' is not a numeric address (no DNS names); use "
            "IPv4:port, [IPv6]:port, *:port or unix:/path");
}

TEST(ParseAddress, BadIpv4) {
  EXPECT_EQ(parse_error("1.2.3:80"), "'1.2.3' is not a valid IPv4 address");
  EXPECT_EQ(parse_error("256.0.0.1:80"),
            "'256.0.0.1' is not a valid IPv4 address");
  EXPECT_EQ(parse_error(":80"), "missing host; write *:80 for every address");
}

TEST(ParseAddress, BadIpv6) {
  EXPECT_EQ(parse_error("::1:80"), "IPv6 addresses need brackets: [::1]:80");
  EXPECT_EQ(parse_error("[::1"), "missing ']' after IPv6 address");
  EXPECT_EQ(parse_error("[::1]"),
            "missing port after ']'; use IPv4:port, [IPv6]:port, *:port or "
            "unix:/path");
  EXPECT_EQ(parse_error("[::1]80"),
            "missing port after ']'; use IPv4:port, [IPv6]:port, *:port or "
            "unix:/path");
  EXPECT_EQ(parse_error("[1::2::3]:80"), "'1::2::3' is not a valid IPv6 address");
  EXPECT_EQ(parse_error("[]:80"), "'' is not a valid IPv6 address");
}

TEST(ParseAddress, BadPort) {
  const std::string missing =
      "missing port; use IPv4:port, [IPv6]:port, *:port or unix:/path";
  EXPECT_EQ(parse_error("127.0.0.1"), missing);
  EXPECT_EQ(parse_error("127.0.0.1:"), missing);
  EXPECT_EQ(parse_error("[::1]:"), missing);
  EXPECT_EQ(parse_error("127.0.0.1:65536"), "port 65536 is out of range 0..65535");
  EXPECT_EQ(parse_error("*:99999999999999999999"),
            "port 99999999999999999999 is out of range 0..65535");
  EXPECT_EQ(parse_error("127.0.0.1:http"), "port 'http' is not a number");
  EXPECT_EQ(parse_error("127.0.0.1:-1"), "port '-1' is not a number");
  EXPECT_EQ(parse_error("127.0.0.1:80x"), "port '80x' is not a number");
}

TEST(ParseAddress, BadUnixPath) {
  EXPECT_EQ(parse_error("unix:run/x.sock"),
            "unix socket path 'run/x.sock' must be absolute");
  EXPECT_EQ(parse_error("unix:"), "unix socket path '' must be absolute");
  const std::string too_long(sizeof(sockaddr_un::sun_path) - 1, 'a');
  EXPECT_EQ(parse_error("unix:/" + too_long),
            "unix socket path is 108 bytes; the limit is 107");
  EXPECT_EQ(parse_error(std::string_view("unix:/a\0b", 9)),
            "unix socket path contains a NUL byte");
}

TEST(ParseAddress, Empty) {
  EXPECT_EQ(parse_error(""),
            "empty address; use IPv4:port, [IPv6]:port, *:port or unix:/path");
}

TEST(AddressToString, RoundTripsTheInputForms) {
  for (const char* text : {"127.0.0.1:7007", "[::1]:7007", "*:7007",
                           "unix:/run/netcookd/echo.sock", "0.0.0.0:0",
                           "[fe80::1]:1"})
    EXPECT_EQ(parse(text).to_string(), text);
}

struct ConflictCase {
  const char* a;
  const char* b;
  bool conflicts;
};

class ConflictsWith : public testing::TestWithParam<ConflictCase> {};

TEST_P(ConflictsWith, IsSymmetric) {
  const auto& [a, b, conflicts] = GetParam();
  EXPECT_EQ(parse(a).conflicts_with(parse(b)), conflicts) << a << " vs " << b;
  EXPECT_EQ(parse(b).conflicts_with(parse(a)), conflicts) << b << " vs " << a;
}

INSTANTIATE_TEST_SUITE_P(
    Addresses, ConflictsWith,
    testing::Values(
        ConflictCase{"127.0.0.1:80", "127.0.0.1:80", true},
        ConflictCase{"*:80", "127.0.0.1:80", true},
        ConflictCase{"*:80", "[::1]:80", true},
        ConflictCase{"*:80", "*:80", true},
        ConflictCase{"[::1]:80", "[::1]:80", true},
        ConflictCase{"0.0.0.0:80", "127.0.0.1:80", true},
        ConflictCase{"[::]:80", "[::1]:80", true},
        ConflictCase{"127.0.0.1:80", "127.0.0.2:80", false},
        ConflictCase{"127.0.0.1:80", "127.0.0.1:81", false},
        ConflictCase{"*:80", "*:81", false},
        ConflictCase{"0.0.0.0:80", "[::1]:80", false},
        ConflictCase{"127.0.0.1:80", "[::1]:80", false},
        ConflictCase{"127.0.0.1:0", "127.0.0.1:0", false},
        ConflictCase{"*:0", "*:0", false},
        ConflictCase{"*:0", "127.0.0.1:0", false},
        ConflictCase{"unix:/a", "unix:/a", true},
        ConflictCase{"unix:/a", "unix:/b", false},
        ConflictCase{"unix:/a", "*:0", false},
        ConflictCase{"unix:/a", "127.0.0.1:80", false}));

TEST(ToSockaddr, Ipv4) {
  sockaddr_storage storage;
  ASSERT_EQ(to_sockaddr(parse("127.0.0.1:7007"), storage), sizeof(sockaddr_in));
  const auto& in = reinterpret_cast<const sockaddr_in&>(storage);
  EXPECT_EQ(in.sin_family, AF_INET);
  EXPECT_EQ(ntohs(in.sin_port), 7007);
  EXPECT_EQ(ntohl(in.sin_addr.s_addr), INADDR_LOOPBACK);
}

TEST(ToSockaddr, Ipv6) {
  sockaddr_storage storage;
  ASSERT_EQ(to_sockaddr(parse("[::1]:7007"), storage), sizeof(sockaddr_in6));
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(storage);
  EXPECT_EQ(in6.sin6_family, AF_INET6);
  EXPECT_EQ(ntohs(in6.sin6_port), 7007);
  EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr));
}

TEST(ToSockaddr, WildcardIsIpv6Any) {
  sockaddr_storage storage;
  ASSERT_EQ(to_sockaddr(parse("*:7007"), storage), sizeof(sockaddr_in6));
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(storage);
  EXPECT_EQ(in6.sin6_family, AF_INET6);
  EXPECT_EQ(ntohs(in6.sin6_port), 7007);
  EXPECT_TRUE(IN6_IS_ADDR_UNSPECIFIED(&in6.sin6_addr));
}

TEST(ToSockaddr, UnixPath) {
  sockaddr_storage storage;
  const auto length = to_sockaddr(parse("unix:/run/x.sock"), storage);
  EXPECT_EQ(length, offsetof(sockaddr_un, sun_path) + sizeof "/run/x.sock");
  const auto& un = reinterpret_cast<const sockaddr_un&>(storage);
  EXPECT_EQ(un.sun_family, AF_UNIX);
  EXPECT_STREQ(un.sun_path, "/run/x.sock");
}

std::string round_trip(std::string_view text) {
  sockaddr_storage storage;
  const auto length = to_sockaddr(parse(text), storage);
  return format_sockaddr(reinterpret_cast<const sockaddr*>(&storage), length);
}

std::string host_of(std::string_view text) {
  sockaddr_storage storage;
  const auto length = to_sockaddr(parse(text), storage);
  return format_host(reinterpret_cast<const sockaddr*>(&storage), length);
}

TEST(FormatSockaddr, AddressForms) {
  EXPECT_EQ(round_trip("1.2.3.4:5"), "1.2.3.4:5");
  EXPECT_EQ(round_trip("[::1]:5"), "[::1]:5");
  EXPECT_EQ(round_trip("*:5"), "[::]:5");
  EXPECT_EQ(round_trip("unix:/run/x.sock"), "unix:/run/x.sock");
}

TEST(FormatSockaddr, Ipv4MappedShowsIpv4) {
  EXPECT_EQ(round_trip("[::ffff:1.2.3.4]:5"), "1.2.3.4:5");
  EXPECT_EQ(host_of("[::ffff:1.2.3.4]:5"), "1.2.3.4");
}

TEST(FormatSockaddr, UnnamedAndAbstractUnix) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  const auto* address = reinterpret_cast<const sockaddr*>(&un);
  EXPECT_EQ(format_sockaddr(address, sizeof(sa_family_t)), "unix");
  std::memcpy(un.sun_path, "\0abstract", 9);
  EXPECT_EQ(format_sockaddr(address, offsetof(sockaddr_un, sun_path) + 9),
            "unix:@abstract");
}

TEST(FormatSockaddr, Unknown) {
  EXPECT_EQ(format_sockaddr(nullptr, 0), "unknown");
  sockaddr_storage storage{};
  storage.ss_family = AF_PACKET;
  EXPECT_EQ(format_sockaddr(reinterpret_cast<const sockaddr*>(&storage),
                            sizeof storage),
            "unknown (family 17)");
  // Too short for the family it claims.
  storage.ss_family = AF_INET6;
  EXPECT_EQ(format_sockaddr(reinterpret_cast<const sockaddr*>(&storage),
                            sizeof(sockaddr_in)),
            "unknown (family 10)");
}

TEST(FormatHost, HostOnly) {
  EXPECT_EQ(host_of("1.2.3.4:5"), "1.2.3.4");
  EXPECT_EQ(host_of("[::1]:5"), "::1");
  EXPECT_EQ(host_of("unix:/run/x.sock"), "unix");
  EXPECT_EQ(format_host(nullptr, 0), "unknown");
}

}  // namespace
}  // namespace netcook::net
