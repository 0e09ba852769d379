// config::parse_bus_url: chat.bus's two forms, their defaults, and every
// refusal with its reason; a URL holding a password is refused without
// being repeated.

#include "config/bus_url.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace netcook::config {
namespace {

using Kind = BusEndpoint::Kind;
using testing::HasSubstr;
using testing::Not;

BusEndpoint parsed(std::string_view text) {
  BusUrlError error;
  auto bus = parse_bus_url(text, error);
  EXPECT_TRUE(bus) << text << ": " << error.reason;
  return bus.value_or(BusEndpoint{});
}

BusUrlError refused(std::string_view text) {
  BusUrlError error;
  EXPECT_FALSE(parse_bus_url(text, error)) << text;
  return error;
}

std::string reason(std::string_view text) {
  const auto error = refused(text);
  EXPECT_FALSE(error.secret) << text;
  return error.reason;
}

TEST(BusUrl, TcpWithItsDefaults) {
  const auto bus = parsed("redis://redis.example.net");
  EXPECT_EQ(bus.kind, Kind::tcp);
  EXPECT_EQ(bus.host, "redis.example.net");
  EXPECT_EQ(bus.port, 6379);
  EXPECT_EQ(bus.db, 0u);
  EXPECT_EQ(bus.path, "");
  EXPECT_EQ(bus.url, "redis://redis.example.net");
}

TEST(BusUrl, TcpPortAndDatabase) {
  const auto bus = parsed("redis://127.0.0.1:6380/15");
  EXPECT_EQ(bus.host, "127.0.0.1");
  EXPECT_EQ(bus.port, 6380);
  EXPECT_EQ(bus.db, 15u);
  EXPECT_EQ(parsed("redis://localhost/3").db, 3u);
  EXPECT_EQ(parsed("redis://localhost/3").port, 6379);
  EXPECT_EQ(parsed("redis://h:1").port, 1);
  EXPECT_EQ(parsed("redis://h:65535").port, 65535);
  EXPECT_EQ(parsed("redis://redis_1").host, "redis_1");  // as container runtimes name hosts
  EXPECT_EQ(parsed("redis://" + std::string(63, 'x') + ".example").port, 6379);
}

TEST(BusUrl, BracketedIpv6) {
  const auto bus = parsed("redis://[::1]:7000/2");
  EXPECT_EQ(bus.host, "::1");  // without brackets
  EXPECT_EQ(bus.port, 7000);
  EXPECT_EQ(bus.db, 2u);
  EXPECT_EQ(parsed("redis://[2001:db8::7]").host, "2001:db8::7");
  EXPECT_EQ(parsed("redis://[2001:db8::7]").port, 6379);
}

TEST(BusUrl, UnixSocket) {
  const auto bus = parsed("redis+unix:///run/redis/redis.sock");
  EXPECT_EQ(bus.kind, Kind::unix_socket);
  EXPECT_EQ(bus.path, "/run/redis/redis.sock");
  EXPECT_EQ(bus.host, "");
  EXPECT_EQ(bus.db, 0u);
  EXPECT_EQ(parsed("redis+unix:///run/redis/redis.sock?db=4").db, 4u);
  EXPECT_EQ(parsed("redis+unix:///tmp/a@b.sock").path, "/tmp/a@b.sock");  // '@' in a path
  EXPECT_EQ(parsed("redis+unix:///" + std::string(106, 'p')).path.size(), 107u);
}

TEST(BusUrl, APasswordIsRefusedWithoutBeingRepeated) {
  for (const char* text :
       {"redis://:secret@127.0.0.1:6379/0", "redis://user:secret@host", "redis://secret@host",
        "rediss://:secret@host", "redis+unix://:secret@/run/redis.sock", ":secret@host:6379",
        "redis://:sec/ret@host", "redis+unix://:sec/ret@/run/redis.sock",
        "redis+unix:///run/redis.sock?db=secret@"}) {
    const auto error = refused(text);
    EXPECT_TRUE(error.secret) << text;
    EXPECT_THAT(error.reason, HasSubstr("bus_password_file")) << text;
    EXPECT_THAT(error.reason, Not(HasSubstr("ret"))) << text;
  }
}

TEST(BusUrl, TlsIsNotSupported) {
  EXPECT_THAT(reason("rediss://redis.example.net:6380"),
              testing::StartsWith("TLS to Redis is not supported"));
}

TEST(BusUrl, Refusals) {
  const std::string forms = "write redis://HOST[:PORT][/DB] or redis+unix:///PATH[?db=DB]";
  EXPECT_EQ(reason("127.0.0.1:6379"), "not a Redis URL; " + forms);
  EXPECT_EQ(reason("unix:///run/redis.sock"), "not a Redis URL; " + forms);
  EXPECT_EQ(reason("REDIS://h"), "not a Redis URL; " + forms);
  EXPECT_EQ(reason("redis://"), "no host; " + forms);
  EXPECT_EQ(reason("redis://:6379"), "no host; " + forms);
  EXPECT_EQ(reason("redis://h:0"), "port '0' is not a number from 1 to 65535");
  EXPECT_EQ(reason("redis://h:65536"), "port '65536' is not a number from 1 to 65535");
  EXPECT_EQ(reason("redis://h:"), "port '' is not a number from 1 to 65535");
  EXPECT_EQ(reason("redis://h:x1"), "port 'x1' is not a number from 1 to 65535");
  EXPECT_EQ(reason("redis://h/16"), "database '16' is not a number from 0 to 15");
  EXPECT_EQ(reason("redis://h/-1"), "database '-1' is not a number from 0 to 15");
  EXPECT_EQ(reason("redis://h/0/x"), "database '0/x' is not a number from 0 to 15");
  EXPECT_EQ(reason("redis://h/"),
            "no database after '/': write a number from 0 to 15, or leave out the '/'");
  EXPECT_EQ(reason("redis://h?db=1"), "unexpected '?db=1'; " + forms);
  EXPECT_EQ(reason("redis://::1"), "an IPv6 address goes in brackets: redis://[::1]:6379");
  EXPECT_EQ(reason("redis://[::1"), "'[' opens an IPv6 address that no ']' closes");
  EXPECT_EQ(reason("redis://[::g]"), "'::g' is not an IPv6 address");
  EXPECT_EQ(reason("redis://[::1]x"), "unexpected 'x' after the IPv6 address");
  EXPECT_EQ(reason("redis://[127.0.0.1]"), "'127.0.0.1' is not an IPv6 address");
  EXPECT_EQ(reason("redis://300.1.2.3"), "'300.1.2.3' is not an IPv4 address");
  EXPECT_EQ(reason("redis://1.2.3"), "'1.2.3' is not an IPv4 address");
  for (const std::string host : {"-a", "a-", "a..b", "a.", "sp ace", "a,b"})
    EXPECT_EQ(
        reason("redis://" + host),
        fmt::format("'{}' is not a host name, an IPv4 address or a bracketed IPv6 address", host));
  const auto long_label = std::string(64, 'x');
  EXPECT_EQ(reason("redis://" + long_label),
            fmt::format("'{}' is not a host name, an IPv4 address or a bracketed IPv6 address",
                        long_label));
}

TEST(BusUrl, UnixRefusals) {
  EXPECT_EQ(reason("redis+unix://localhost/run/redis.sock"),
            "redis+unix:// takes no host: write redis+unix:///PATH (three slashes before an "
            "absolute path)");
  EXPECT_EQ(reason("redis+unix://run/redis.sock"),
            "redis+unix:// takes no host: write redis+unix:///PATH (three slashes before an "
            "absolute path)");
  EXPECT_EQ(reason("redis+unix:///"), "the path names a directory, not a socket");
  EXPECT_EQ(reason("redis+unix:///run/redis/"), "the path names a directory, not a socket");
  EXPECT_EQ(reason("redis+unix:///" + std::string(107, 'p')),
            "the socket's path is longer than 107 bytes");
  EXPECT_EQ(reason(std::string("redis+unix:///run/a\0b", 21)),
            "the socket's path holds a NUL byte");
  EXPECT_EQ(reason("redis+unix:///run/redis.sock?db=16"),
            "database '16' is not a number from 0 to 15");
  EXPECT_EQ(reason("redis+unix:///run/redis.sock?db="), "database '' is not a number from 0 to 15");
  EXPECT_EQ(reason("redis+unix:///run/redis.sock?timeout=1"),
            "unknown parameter 'timeout=1'; redis+unix:// takes only ?db=DB");
}

}  // namespace
}  // namespace netcook::config
