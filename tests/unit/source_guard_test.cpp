// model::SourceGuard's rules and tables without sockets: what a source is
// (IPv4 per address, IPv6 per source_prefix_v6, IPv4-mapped as IPv4), the
// token bucket of connection_rate over time, and the bounds of its table.

#include "model/source_guard.hpp"

#include <gtest/gtest.h>

namespace netcook::model {
namespace {

using namespace std::chrono_literals;
using Clock = SourceGuard::Clock;
using metrics::CloseReason;

net::IpAddress ip(const char* text) {
  return *net::parse_ip(text);
}

config::Guards per_source(std::size_t limit) {
  config::Guards guards;
  guards.max_connections_per_source = limit;
  return guards;
}

TEST(SourceGuard, AnIpv4SourceIsItsAddressAndAMappedPeerIsTheSameSource) {
  SourceGuard guard(per_source(1));
  const auto now = Clock::now();
  auto held = guard.vet(ip("192.0.2.7"), now);
  EXPECT_FALSE(held.refused);
  EXPECT_TRUE(held.hold);
  EXPECT_EQ(guard.vet(ip("::ffff:192.0.2.7"), now).refused, CloseReason::per_source);
  EXPECT_FALSE(guard.vet(ip("192.0.2.8"), now).refused);
}

TEST(SourceGuard, Ipv6PeersAreGroupedBySourcePrefix) {
  config::Guards guards = per_source(2);
  SourceGuard by64(guards);
  const auto now = Clock::now();
  auto a = by64.vet(ip("2001:db8:1:2::1"), now);
  auto b = by64.vet(ip("2001:db8:1:2:ffff::9"), now);
  EXPECT_FALSE(a.refused);
  EXPECT_FALSE(b.refused);
  EXPECT_EQ(by64.vet(ip("2001:db8:1:2::77"), now).refused, CloseReason::per_source);
  EXPECT_FALSE(by64.vet(ip("2001:db8:1:3::1"), now).refused);  // another /64

  guards.source_prefix_v6 = 128;
  SourceGuard by128(guards);
  auto c = by128.vet(ip("2001:db8::1"), now);
  auto d = by128.vet(ip("2001:db8::1"), now);
  EXPECT_EQ(by128.vet(ip("2001:db8::1"), now).refused, CloseReason::per_source);
  EXPECT_FALSE(by128.vet(ip("2001:db8::2"), now).refused);
}

TEST(SourceGuard, AHoldGivesItsPlaceBackOnceAndMovesWithItsConnection) {
  SourceGuard guard(per_source(1));
  const auto now = Clock::now();
  SourceHold moved;
  {
    auto verdict = guard.vet(ip("192.0.2.7"), now);
    moved = std::move(verdict.hold);
  }
  EXPECT_EQ(guard.open_from(ip("192.0.2.7")), 1u);
  moved.release();
  moved.release();
  EXPECT_EQ(guard.open_from(ip("192.0.2.7")), 0u);
  EXPECT_FALSE(guard.vet(ip("192.0.2.7"), now).refused);
}

TEST(SourceGuard, TokensComeBackAtTheRateUpToTheBurst) {
  config::Guards guards;
  guards.connection_rate = {{10, 1s}, 5};
  SourceGuard guard(guards);
  const auto t0 = Clock::now();
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(guard.vet(ip("192.0.2.7"), t0).refused) << i;
  EXPECT_EQ(guard.vet(ip("192.0.2.7"), t0).refused, CloseReason::rate);
  EXPECT_EQ(guard.vet(ip("192.0.2.7"), t0 + 50ms).refused, CloseReason::rate);
  EXPECT_FALSE(guard.vet(ip("192.0.2.7"), t0 + 100ms).refused);  // one back
  EXPECT_EQ(guard.vet(ip("192.0.2.7"), t0 + 150ms).refused, CloseReason::rate);
  // A long pause refills up to the burst, not beyond.
  const auto later = t0 + 1h;
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(guard.vet(ip("192.0.2.7"), later).refused) << i;
  EXPECT_EQ(guard.vet(ip("192.0.2.7"), later).refused, CloseReason::rate);
}

// A flood of distinct sources cannot grow the table past its bound; a
// source whose bucket refilled is dropped as soon as it is the least
// recently seen.
TEST(SourceGuard, TheRateTableIsBounded) {
  config::Guards guards;
  guards.connection_rate = {{1, 1s}, 2};
  SourceGuard guard(guards);
  const auto t0 = Clock::now();
  for (std::uint32_t i = 0; i < kRateSources + 1000; ++i) {
    net::IpAddress address = ip("10.0.0.0");
    address.bytes[13] = static_cast<std::uint8_t>(i >> 16);
    address.bytes[14] = static_cast<std::uint8_t>(i >> 8);
    address.bytes[15] = static_cast<std::uint8_t>(i);
    EXPECT_FALSE(guard.vet(address, t0).refused);
  }
  EXPECT_EQ(guard.rate_sources(), kRateSources);
  // Two seconds on, every bucket has refilled: the next look drops them.
  EXPECT_FALSE(guard.vet(ip("192.0.2.7"), t0 + 2s).refused);
  EXPECT_EQ(guard.rate_sources(), 1u);
}

TEST(SourceGuard, DenyWinsOverAllowAndUnlistedPeersAreRefusedByAnAllowList) {
  config::Guards guards;
  guards.allow = {*net::parse_cidr("10.0.0.0/8").cidr, *net::parse_cidr("2001:db8::/32").cidr};
  guards.deny = {*net::parse_cidr("10.1.0.0/16").cidr};
  SourceGuard guard(guards);
  const auto now = Clock::now();
  EXPECT_FALSE(guard.vet(ip("10.2.3.4"), now).refused);
  EXPECT_FALSE(guard.vet(ip("::ffff:10.2.3.4"), now).refused);
  EXPECT_EQ(guard.vet(ip("10.1.3.4"), now).refused, CloseReason::denied);
  EXPECT_EQ(guard.vet(ip("192.0.2.1"), now).refused, CloseReason::denied);
  EXPECT_FALSE(guard.vet(ip("2001:db8::5"), now).refused);
  EXPECT_EQ(guard.vet(ip("2001:db9::5"), now).refused, CloseReason::denied);
}

}  // namespace
}  // namespace netcook::model
