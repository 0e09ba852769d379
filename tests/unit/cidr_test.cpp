// IP addresses and networks for the accept gate's rules (net/cidr.hpp):
// parsing with its errors, family separation, socket addresses, text.

#include "net/cidr.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

namespace netcook::net {
namespace {

Cidr cidr(std::string_view text) {
  const auto parsed = parse_cidr(text);
  EXPECT_TRUE(parsed.cidr) << text << ": " << parsed.error;
  return parsed.cidr.value_or(Cidr{});
}

std::string cidr_error(std::string_view text) {
  const auto parsed = parse_cidr(text);
  EXPECT_FALSE(parsed.cidr) << text << " parsed as " << to_string(parsed.cidr.value_or(Cidr{}));
  return parsed.error;
}

IpAddress ip(std::string_view text) {
  const auto address = parse_ip(text);
  EXPECT_TRUE(address) << text;
  return address.value_or(IpAddress{});
}

std::optional<IpAddress> ip_of_v4(const char* text) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  inet_pton(AF_INET, text, &in.sin_addr);
  return ip_of(reinterpret_cast<const sockaddr*>(&in), sizeof in);
}

std::optional<IpAddress> ip_of_v6(const char* text) {
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, text, &in6.sin6_addr);
  return ip_of(reinterpret_cast<const sockaddr*>(&in6), sizeof in6);
}

// ---- parse_ip, to_string -------------------------------------------------

TEST(ParseIp, Ipv4IsHeldMapped) {
  const auto address = ip("10.1.2.3");
  EXPECT_TRUE(address.is_v4());
  const std::array<std::uint8_t, 16> bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3};
  EXPECT_EQ(address.bytes, bytes);
  EXPECT_EQ(to_string(address), "10.1.2.3");
}

TEST(ParseIp, MappedFormIsTheIpv4Address) {
  EXPECT_EQ(ip("::ffff:10.1.2.3"), ip("10.1.2.3"));
  EXPECT_EQ(ip("::FFFF:0a01:0203"), ip("10.1.2.3"));
  EXPECT_EQ(to_string(ip("::ffff:10.1.2.3")), "10.1.2.3");
}

TEST(ParseIp, Ipv6) {
  const auto address = ip("2001:DB8:0:0:0:0:0:1");
  EXPECT_FALSE(address.is_v4());
  EXPECT_EQ(to_string(address), "2001:db8::1");
  EXPECT_FALSE(ip("::1").is_v4());
  EXPECT_FALSE(ip("::").is_v4());
}

TEST(ParseIp, RejectsWhatIsNotANumericAddress) {
  for (const char* text : {"", "localhost", "10.0.0", "10.0.0.256", "010.0.0.1", "1.2.3.4 ",
                           "::1%lo", "2001:db8::/32", "[::1]", "10.0.0.0.1"})
    EXPECT_FALSE(parse_ip(text)) << text;
}

TEST(IpToString, FollowsRfc5952) {
  EXPECT_EQ(to_string(ip("::")), "::");
  EXPECT_EQ(to_string(ip("::1")), "::1");
  EXPECT_EQ(to_string(ip("1::")), "1::");
  EXPECT_EQ(to_string(ip("2001:db8:0:1:0:0:0:1")), "2001:db8:0:1::1");       // longest run
  EXPECT_EQ(to_string(ip("2001:db8:0:0:1:0:0:1")), "2001:db8::1:0:0:1");     // first of equals
  EXPECT_EQ(to_string(ip("2001:db8:0:1:1:1:1:1")), "2001:db8:0:1:1:1:1:1");  // one group stays
  EXPECT_EQ(to_string(ip("fe80::abcd:ef")), "fe80::abcd:ef");
  EXPECT_EQ(to_string(ip("::102:304")), "::102:304");  // not mapped: hex, not dotted
}

TEST(IpAddress, Masked) {
  EXPECT_EQ(ip("10.255.255.255").masked(96 + 8), ip("10.0.0.0"));
  EXPECT_EQ(ip("10.255.255.255").masked(96 + 12), ip("10.240.0.0"));
  EXPECT_EQ(ip("2001:db8:1:2:3:4:5:6").masked(64), ip("2001:db8:1:2::"));
  EXPECT_EQ(ip("2001:db8:1:2:3:4:5:6").masked(128), ip("2001:db8:1:2:3:4:5:6"));
  EXPECT_EQ(ip("2001:db8:1:2:3:4:5:6").masked(200), ip("2001:db8:1:2:3:4:5:6"));
  EXPECT_EQ(ip("ffff::1").masked(0), ip("::"));
  EXPECT_EQ(ip("ffff::1").masked(1), ip("8000::"));
}

// ---- ip_of -----------------------------------------------------------------

TEST(IpOf, Ipv4Socket) {
  EXPECT_EQ(ip_of_v4("192.0.2.7"), ip("192.0.2.7"));
}

TEST(IpOf, Ipv6Socket) {
  EXPECT_EQ(ip_of_v6("2001:db8::7"), ip("2001:db8::7"));
}

TEST(IpOf, MappedPeerOnADualStackSocketIsIpv4) {
  const auto address = ip_of_v6("::ffff:192.0.2.7");
  ASSERT_TRUE(address);
  EXPECT_TRUE(address->is_v4());
  EXPECT_EQ(address, ip_of_v4("192.0.2.7"));
}

TEST(IpOf, UnixAndShortAddressesHaveNoIp) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::strcpy(un.sun_path, "/run/x");
  EXPECT_FALSE(ip_of(reinterpret_cast<const sockaddr*>(&un), sizeof un));
  sockaddr_in in{};
  in.sin_family = AF_INET;
  EXPECT_FALSE(ip_of(reinterpret_cast<const sockaddr*>(&in), sizeof in - 1));
  EXPECT_FALSE(ip_of(nullptr, 0));
}

// ---- parse_cidr ------------------------------------------------------------

TEST(ParseCidr, Ipv4Network) {
  const auto network = cidr("10.0.0.0/8");
  EXPECT_TRUE(network.v4);
  EXPECT_EQ(network.bits, 96u + 8);
  EXPECT_EQ(network.written_bits(), 8u);
  EXPECT_EQ(network.network, ip("10.0.0.0"));
  EXPECT_EQ(to_string(network), "10.0.0.0/8");
}

TEST(ParseCidr, Ipv6Network) {
  const auto network = cidr("2001:DB8::/32");
  EXPECT_FALSE(network.v4);
  EXPECT_EQ(network.bits, 32u);
  EXPECT_EQ(network.written_bits(), 32u);
  EXPECT_EQ(to_string(network), "2001:db8::/32");
}

TEST(ParseCidr, SingleAddresses) {
  EXPECT_EQ(to_string(cidr("192.0.2.7")), "192.0.2.7/32");
  EXPECT_EQ(cidr("192.0.2.7").bits, 128u);
  EXPECT_EQ(to_string(cidr("::1")), "::1/128");
  EXPECT_EQ(cidr("::1").bits, 128u);
}

TEST(ParseCidr, WholeFamilies) {
  EXPECT_EQ(to_string(cidr("0.0.0.0/0")), "0.0.0.0/0");
  EXPECT_TRUE(cidr("0.0.0.0/0").v4);
  EXPECT_EQ(to_string(cidr("::/0")), "::/0");
  EXPECT_FALSE(cidr("::/0").v4);
}

TEST(ParseCidr, MappedFormsAreIpv4Networks) {
  EXPECT_EQ(cidr("::ffff:10.0.0.0/104"), cidr("10.0.0.0/8"));
  EXPECT_EQ(cidr("::ffff:192.0.2.7"), cidr("192.0.2.7/32"));
  EXPECT_EQ(cidr("::ffff:0.0.0.0/96"), cidr("0.0.0.0/0"));
  EXPECT_EQ(to_string(cidr("::ffff:10.0.0.0/104")), "10.0.0.0/8");
}

TEST(ParseCidr, ToStringRoundTrips) {
  for (const char* text : {"10.0.0.0/8", "192.0.2.7/32", "0.0.0.0/0", "2001:db8::/32", "::1/128",
                           "::/0", "fe80::/10", "2001:db8:0:1::/64", "172.16.0.0/12"}) {
    EXPECT_EQ(to_string(cidr(text)), text);
    EXPECT_EQ(cidr(to_string(cidr(text))), cidr(text));
  }
}

TEST(ParseCidr, PrefixBeyondTheFamily) {
  EXPECT_EQ(cidr_error("10.0.0.0/33"), "prefix length 33 is beyond 32 for IPv4");
  EXPECT_EQ(cidr_error("::1/129"), "prefix length 129 is beyond 128 for IPv6");
  EXPECT_EQ(cidr_error("10.0.0.0/99999999999999999999"),
            "prefix length 99999999999999999999 is beyond 32 for IPv4");
}

TEST(ParseCidr, HostBitsSetSuggestsTheNetworkAndTheAddress) {
  EXPECT_EQ(cidr_error("10.0.0.1/8"),
            "host bits are set beyond the /8; write 10.0.0.0/8 for the network, or 10.0.0.1/32 "
            "for the one address");
  EXPECT_EQ(cidr_error("2001:db8::1/64"),
            "host bits are set beyond the /64; write 2001:db8::/64 for the network, or "
            "2001:db8::1/128 for the one address");
  EXPECT_EQ(cidr_error("::ffff:10.0.0.1/104"),
            "host bits are set beyond the /104; write 10.0.0.0/8 for the network, or "
            "10.0.0.1/32 for the one address");
}

TEST(ParseCidr, MappedWithAShortPrefix) {
  EXPECT_EQ(cidr_error("::ffff:0.0.0.0/80"),
            "an IPv4-mapped network needs a prefix length of at least 96; better, write it as "
            "IPv4 (::ffff:10.0.0.0/104 is 10.0.0.0/8)");
}

TEST(ParseCidr, MalformedPrefix) {
  EXPECT_EQ(cidr_error("10.0.0.0/"),
            "missing prefix length after '/'; write e.g. 10.0.0.0/8, 2001:db8::/32 or 192.0.2.7");
  EXPECT_EQ(cidr_error("10.0.0.0/08"), "prefix length '08' has a leading zero; write 8");
  EXPECT_EQ(cidr_error("10.0.0.0/x"), "prefix length 'x' is not a decimal number");
  EXPECT_EQ(cidr_error("10.0.0.0/-8"), "prefix length '-8' is not a decimal number");
  EXPECT_EQ(cidr_error("10.0.0.0/+8"), "prefix length '+8' is not a decimal number");
  EXPECT_EQ(cidr_error("10.0.0.0/8/8"), "prefix length '8/8' is not a decimal number");
  EXPECT_EQ(cidr_error("10.0.0.0/ 8"), "prefix length ' 8' is not a decimal number");
}

TEST(ParseCidr, MalformedAddress) {
  EXPECT_EQ(cidr_error("/8"),
            "missing address before '/'; write e.g. 10.0.0.0/8, 2001:db8::/32 or 192.0.2.7");
  EXPECT_EQ(cidr_error(""), "empty; write e.g. 10.0.0.0/8, 2001:db8::/32 or 192.0.2.7");
  EXPECT_EQ(cidr_error("localhost"),
            "'localhost' is not a numeric IP address (host names are not resolved); write e.g. "
            "10.0.0.0/8, 2001:db8::/32 or 192.0.2.7");
  EXPECT_EQ(cidr_error("example.com/24"),
            "'example.com' is not a numeric IP address (host names are not resolved); write e.g. "
            "10.0.0.0/8, 2001:db8::/32 or 192.0.2.7");
  for (const char* text : {"garbage", "10.0.0/8", "300.0.0.0/8", "10.0.0.0.0/8", "::1::2/64",
                           "[::1]/128", "*", "10.0.0.0 /8"})
    EXPECT_FALSE(parse_cidr(text).cidr) << text;
}

// ---- contains --------------------------------------------------------------

TEST(CidrContains, Ipv4) {
  const auto network = cidr("10.0.0.0/8");
  EXPECT_TRUE(network.contains(ip("10.0.0.0")));
  EXPECT_TRUE(network.contains(ip("10.255.255.255")));
  EXPECT_FALSE(network.contains(ip("11.0.0.0")));
  EXPECT_FALSE(network.contains(ip("9.255.255.255")));
  EXPECT_TRUE(cidr("192.0.2.7").contains(ip("192.0.2.7")));
  EXPECT_FALSE(cidr("192.0.2.7").contains(ip("192.0.2.8")));
}

TEST(CidrContains, Ipv6) {
  const auto network = cidr("2001:db8::/32");
  EXPECT_TRUE(network.contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(network.contains(ip("2001:db9::1")));
  EXPECT_TRUE(cidr("::1").contains(ip("::1")));
  EXPECT_FALSE(cidr("::1").contains(ip("::2")));
}

TEST(CidrContains, FamiliesAreSeparate) {
  // ::/0 is every IPv6 peer, never an IPv4 one, though IPv4 is held inside
  // the IPv6 space.
  EXPECT_FALSE(cidr("::/0").contains(ip("10.0.0.1")));
  EXPECT_TRUE(cidr("::/0").contains(ip("2001:db8::1")));
  EXPECT_FALSE(cidr("0.0.0.0/0").contains(ip("::1")));
  EXPECT_FALSE(cidr("0.0.0.0/0").contains(ip("::")));
  EXPECT_FALSE(cidr("::/1").contains(ip("10.0.0.1")));
}

TEST(CidrContains, MappedPeerMatchesIpv4Rules) {
  const auto peer = ip_of_v6("::ffff:1.2.3.4");
  ASSERT_TRUE(peer);
  EXPECT_TRUE(cidr("0.0.0.0/0").contains(*peer));
  EXPECT_TRUE(cidr("1.2.0.0/16").contains(*peer));
  EXPECT_TRUE(cidr("::ffff:1.2.0.0/112").contains(*peer));
  EXPECT_FALSE(cidr("::/0").contains(*peer));
}

}  // namespace
}  // namespace netcook::net
