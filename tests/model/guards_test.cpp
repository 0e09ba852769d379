// The driver contract, for the listener's rules by source address and the
// PROXY header, under every model (fork included: the rules' tables live
// in the fork master, and a proxied connection's process asks it). Clients
// come from distinct loopback addresses (127.0.0.2, 127.0.0.3, ...), which
// Linux routes to lo without configuration.

#include "driver_test.hpp"

#include "net/cidr.hpp"

#include <arpa/inet.h>

namespace netcook::test {
namespace {

using namespace std::chrono_literals;
using model::CloseReason;

net::Cidr cidr(const char* text) {
  return *net::parse_cidr(text).cidr;
}

std::size_t slot(CloseReason reason) {
  return static_cast<std::size_t>(reason);
}

Client connect_from(std::uint16_t port, const char* source) {
  ConnectOptions options;
  options.source = source;
  return Client::connect(port, options);
}

// A v2 PROXY header for TCP over IPv4, from `source`:`port` to 127.0.0.1:80,
// with one TLV (skipped).
std::string proxy_v2(const char* source, std::uint16_t port) {
  std::string header("\r\n\r\n\0\r\nQUIT\n", 12);
  header += '\x21';  // version 2, PROXY
  header += '\x11';  // AF_INET, STREAM
  const std::uint16_t length = 12 + 7;
  header += static_cast<char>(length >> 8);
  header += static_cast<char>(length & 0xFF);
  in_addr address{};
  ::inet_pton(AF_INET, source, &address);
  header.append(reinterpret_cast<const char*>(&address), 4);
  ::inet_pton(AF_INET, "127.0.0.1", &address);
  header.append(reinterpret_cast<const char*>(&address), 4);
  header += static_cast<char>(port >> 8);
  header += static_cast<char>(port & 0xFF);
  header += '\0';
  header += '\x50';
  header += std::string("\x04\x00\x04" "abcd", 7);  // PP2_TYPE_NOOP
  return header;
}

TEST_P(DriverTest, ADeniedPeerIsClosedWithoutAByteAndAnotherIsServed) {
  config::Limits limits;
  limits.guards.deny = {cidr("127.0.0.4")};
  start("guarded:echo", limits);
  auto denied = connect_from(port_, "127.0.0.4");
  EXPECT_EQ(denied.wait_closed(), IoStatus::closed);
  auto other = connect_from(port_, "127.0.0.5");
  EXPECT_EQ(other.exchange("x"), "x");
  const auto f = figures_once(
      [](const metrics::ListenerFigures& now) { return now.refused[slot(CloseReason::denied)] >= 1; });
  EXPECT_EQ(f.refused[slot(CloseReason::denied)], 1U);
  EXPECT_EQ(f.accepted, 1U);
  EXPECT_TRUE(logged("address denied by allow/deny; refusing connections: 127.0.0.4:"));
}

TEST_P(DriverTest, OneSourceAtItsLimitWhileAnotherIsStillServed) {
  config::Limits limits;
  limits.guards.max_connections_per_source = 2;
  start("guarded:echo", limits);
  auto a = connect_from(port_, "127.0.0.2");
  auto b = connect_from(port_, "127.0.0.2");
  ASSERT_EQ(a.exchange("a"), "a");
  ASSERT_EQ(b.exchange("b"), "b");
  auto c = connect_from(port_, "127.0.0.2");
  EXPECT_EQ(c.read_line(), "source\n");
  EXPECT_EQ(c.wait_closed(), IoStatus::closed);
  auto other = connect_from(port_, "127.0.0.3");
  EXPECT_EQ(other.exchange("o"), "o");
  // One of 127.0.0.2's ends: its place comes back (under fork once the
  // master has reaped the process, so the test tries until it is served).
  a.shutdown_both();
  EXPECT_EQ(a.wait_closed(), IoStatus::closed);
  const auto until = std::chrono::steady_clock::now() + kWait;
  bool served = false;
  while (!served && std::chrono::steady_clock::now() < until) {
    auto again = connect_from(port_, "127.0.0.2");
    served = again.exchange("again") == "again";
  }
  EXPECT_TRUE(served);
  EXPECT_GE(figures().refused[slot(CloseReason::per_source)], 1U);
}

TEST_P(DriverTest, ASourceOverItsRateIsRefusedWhileAnotherIsNot) {
  config::Limits limits;
  limits.guards.connection_rate = {{1, std::chrono::hours(1)}, 2};
  start("guarded:echo", limits);
  for (const char* word : {"one", "two"}) {
    auto client = connect_from(port_, "127.0.0.2");
    EXPECT_EQ(client.exchange(word), word);
  }
  auto over = connect_from(port_, "127.0.0.2");
  EXPECT_EQ(over.read_line(), "rate\n");
  auto other = connect_from(port_, "127.0.0.3");
  EXPECT_EQ(other.exchange("o"), "o");
  const auto f = figures_once(
      [](const metrics::ListenerFigures& now) { return now.refused[slot(CloseReason::rate)] >= 1; });
  EXPECT_EQ(f.refused[slot(CloseReason::rate)], 1U);
}

// The header's address is the peer the session knows ({peer} in the echo
// prefix) and the logs name; what follows the header in the same packet is
// the session's.
TEST_P(DriverTest, APeerBehindAProxyIsTheOneItsHeaderNames) {
  config::Limits limits;
  limits.guards.proxy_from = {cidr("127.0.0.2")};
  start("prefix:{peer} ", limits);
  auto v1 = connect_from(port_, "127.0.0.2");
  ASSERT_EQ(v1.write_all("PROXY TCP4 192.0.2.9 127.0.0.1 5555 80\r\nhello\n"), IoStatus::ok);
  EXPECT_EQ(v1.read_line(), "192.0.2.9:5555 hello\n");
  auto v2 = connect_from(port_, "127.0.0.2");
  ASSERT_EQ(v2.write_all(proxy_v2("198.51.100.7", 4242)), IoStatus::ok);
  ASSERT_EQ(v2.write_all("world\n"), IoStatus::ok);
  EXPECT_EQ(v2.read_line(), "198.51.100.7:4242 world\n");
  auto local = connect_from(port_, "127.0.0.2");
  ASSERT_EQ(local.write_all("PROXY UNKNOWN\r\nme\n"), IoStatus::ok);
  EXPECT_EQ(local.read_line().substr(0, 10), "127.0.0.2:");
  EXPECT_TRUE(logged("connection from 192.0.2.9:5555 via 127.0.0.2:"));
}

// From an address not in proxy_protocol.from nothing is parsed: the line
// is the session's, like any bytes.
TEST_P(DriverTest, FromOtherAddressesAProxyLineIsJustBytes) {
  config::Limits limits;
  limits.guards.proxy_from = {cidr("127.0.0.2")};
  start("prefix:{peer} ", limits);
  auto client = connect_from(port_, "127.0.0.3");
  ASSERT_EQ(client.write_all("PROXY TCP4 192.0.2.9 127.0.0.1 5555 80\r\n"), IoStatus::ok);
  const std::string line = client.read_line();
  EXPECT_EQ(line.substr(0, 10), "127.0.0.3:");
  EXPECT_NE(line.find(" PROXY TCP4 192.0.2.9"), std::string::npos) << line;
}

TEST_P(DriverTest, AListedPeerWithoutAValidHeaderIsClosedWithoutAByte) {
  config::Limits limits;
  limits.guards.proxy_from = {cidr("127.0.0.2")};
  limits.read_timeout = 300ms;
  start("guarded:echo", limits);
  auto garbage = connect_from(port_, "127.0.0.2");
  ASSERT_EQ(garbage.write_all("GET / HTTP/1.1\r\n\r\n"), IoStatus::ok);
  EXPECT_EQ(garbage.wait_closed(), IoStatus::closed);
  auto silent = connect_from(port_, "127.0.0.2");  // cut at read_timeout
  EXPECT_EQ(silent.wait_closed(), IoStatus::closed);
  const auto f = figures_once([](const metrics::ListenerFigures& now) {
    return now.refused[slot(CloseReason::proxy_header)] >= 2;
  });
  EXPECT_EQ(f.refused[slot(CloseReason::proxy_header)], 2U);
  EXPECT_EQ(f.accepted, 0U);
  EXPECT_TRUE(logged("no valid PROXY header; closing connections: 127.0.0.2:"));
}

// The rules apply to the peer the header names: denied, or over its
// source's limit while another source is served.
TEST_P(DriverTest, ThePeerAHeaderNamesFacesTheRules) {
  config::Limits limits;
  limits.guards.proxy_from = {cidr("127.0.0.2")};
  limits.guards.deny = {cidr("192.0.2.66")};
  limits.guards.max_connections_per_source = 1;
  start("guarded:prefix:{peer} ", limits);
  auto denied = connect_from(port_, "127.0.0.2");
  ASSERT_EQ(denied.write_all("PROXY TCP4 192.0.2.66 127.0.0.1 1 80\r\n"), IoStatus::ok);
  EXPECT_EQ(denied.wait_closed(), IoStatus::closed);
  auto first = connect_from(port_, "127.0.0.2");
  ASSERT_EQ(first.write_all("PROXY TCP4 192.0.2.9 127.0.0.1 1 80\r\na\n"), IoStatus::ok);
  EXPECT_EQ(first.read_line(), "192.0.2.9:1 a\n");
  auto second = connect_from(port_, "127.0.0.2");
  ASSERT_EQ(second.write_all("PROXY TCP4 192.0.2.9 127.0.0.1 2 80\r\nb\n"), IoStatus::ok);
  EXPECT_EQ(second.read_line(), "source\n");
  EXPECT_EQ(second.wait_closed(), IoStatus::closed);
  auto other = connect_from(port_, "127.0.0.2");
  ASSERT_EQ(other.write_all("PROXY TCP4 192.0.2.10 127.0.0.1 3 80\r\nc\n"), IoStatus::ok);
  EXPECT_EQ(other.read_line(), "192.0.2.10:3 c\n");
  const auto f = figures_once([](const metrics::ListenerFigures& now) {
    return now.refused[slot(CloseReason::denied)] >= 1 &&
           now.refused[slot(CloseReason::per_source)] >= 1;
  });
  EXPECT_EQ(f.refused[slot(CloseReason::denied)], 1U);
  EXPECT_EQ(f.refused[slot(CloseReason::per_source)], 1U);
  EXPECT_EQ(f.accepted, 2U);
}

}  // namespace
}  // namespace netcook::test
