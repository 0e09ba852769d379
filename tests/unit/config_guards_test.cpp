// The edge guards' keys in the configuration file (allow, deny,
// max_connections_per_source, source_prefix_v6, connection_rate,
// proxy_protocol) and chat's flood control (rate, burst): values, defaults,
// inheritance from `defaults:`, and every error at its line and column.

#include "config/loader.hpp"
#include "config_files.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace netcook::config {
namespace {

using namespace std::chrono_literals;
using testing::ElementsAre;

using namespace files;

constexpr std::string_view kChat = R"(listeners:
  - name: talk
    protocol: chat
    model: select
    listen: 127.0.0.1:7007
    chat:
)";

std::string chat_with(std::string_view extra) {
  return std::string(kChat) + std::string(extra);
}

Guards guards_of(std::string_view extra) {
  const auto config = load(with(extra));
  return config.listeners.empty() ? Guards{} : config.listeners[0].limits.guards;
}

TokenRate flood_of(std::string_view extra) {
  const auto config = load(chat_with(extra));
  return config.listeners.empty() ? TokenRate{} : config.listeners[0].chat.flood;
}

net::Cidr network(std::string_view text) {
  return net::parse_cidr(text).cidr.value();
}

// ---- values --------------------------------------------------------------

TEST(GuardsConfig, NoneByDefault) {
  const Guards guards = guards_of("");
  EXPECT_EQ(guards, Guards{});
  EXPECT_TRUE(guards.allow.empty());
  EXPECT_TRUE(guards.deny.empty());
  EXPECT_EQ(guards.max_connections_per_source, 0u);
  EXPECT_EQ(guards.source_prefix_v6, 64u);
  EXPECT_TRUE(guards.connection_rate.rate.unlimited());
  EXPECT_TRUE(guards.proxy_from.empty());
}

TEST(GuardsConfig, EveryKey) {
  const Guards guards = guards_of(R"(    allow: [10.0.0.0/8, "2001:db8::/32", 192.0.2.7]
    deny:
      - 10.1.0.0/16
      - "::1"
      - ::ffff:10.2.0.0/112
    max_connections_per_source: 5
    source_prefix_v6: 48
    connection_rate: { per_source: 20/s, burst: 30 }
    proxy_protocol: { from: [127.0.0.1, "::1"] }
)");
  EXPECT_EQ(guards.allow, (std::vector{network("10.0.0.0/8"), network("2001:db8::/32"),
                                       network("192.0.2.7/32")}));
  EXPECT_EQ(guards.deny,
            (std::vector{network("10.1.0.0/16"), network("::1/128"), network("10.2.0.0/16")}));
  EXPECT_EQ(guards.max_connections_per_source, 5u);
  EXPECT_EQ(guards.source_prefix_v6, 48u);
  EXPECT_EQ(guards.connection_rate, (TokenRate{Rate{20, 1s}, 30}));
  EXPECT_EQ(guards.proxy_from, (std::vector{network("127.0.0.1"), network("::1")}));
}

TEST(GuardsConfig, UnquotedIpv6InAFlowList) {
  EXPECT_EQ(guards_of("    allow: [2001:db8::/32, ::1]\n").allow,
            (std::vector{network("2001:db8::/32"), network("::1")}));
}

TEST(GuardsConfig, OneNetworkWithoutAList) {
  EXPECT_EQ(guards_of("    allow: 10.0.0.0/8\n").allow, std::vector{network("10.0.0.0/8")});
}

TEST(GuardsConfig, EmptyListsAndRepeats) {
  EXPECT_TRUE(guards_of("    allow: []\n    deny: []\n").allow.empty());
  EXPECT_EQ(guards_of("    deny: [10.0.0.0/8, 10.0.0.0/8]\n").deny,
            std::vector{network("10.0.0.0/8")});
}

TEST(GuardsConfig, UnlimitedPerSource) {
  EXPECT_EQ(guards_of("    max_connections_per_source: unlimited\n").max_connections_per_source,
            0u);
  EXPECT_EQ(guards_of("    max_connections_per_source: 1000000\n").max_connections_per_source,
            1'000'000u);
}

TEST(GuardsConfig, ConnectionRateBurstDefaultsToTwiceTheCount) {
  EXPECT_EQ(guards_of("    connection_rate: { per_source: 20/s }\n").connection_rate,
            (TokenRate{Rate{20, 1s}, 40}));
  EXPECT_EQ(guards_of("    connection_rate: { per_source: 600/m }\n").connection_rate,
            (TokenRate{Rate{600, 1min}, 1200}));
  EXPECT_EQ(guards_of("    connection_rate: { per_source: 1/h }\n").connection_rate,
            (TokenRate{Rate{1, 1h}, 2}));
  EXPECT_EQ(guards_of("    connection_rate: { per_source: 700000/s }\n").connection_rate,
            (TokenRate{Rate{700000, 1s}, 1'000'000}));
  EXPECT_EQ(guards_of("    connection_rate: { per_source: unlimited }\n").connection_rate,
            TokenRate{});
}

// ---- inheritance from defaults: --------------------------------------------

TEST(GuardsConfig, EachKeyIsInheritedFromDefaultsOnItsOwn) {
  const auto config = load(R"(defaults:
  allow: [10.0.0.0/8]
  deny: [10.9.0.0/16]
  max_connections_per_source: 3
  source_prefix_v6: 56
  connection_rate: { per_source: 600/m, burst: 10 }
  proxy_protocol: { from: [127.0.0.1] }
listeners:
  - name: a
    protocol: echo
    model: epoll
    listen: 127.0.0.1:7007
  - name: b
    protocol: echo
    model: epoll
    listen: 127.0.0.1:7008
    allow: []
    max_connections_per_source: unlimited
    connection_rate: { per_source: 5/s }
    proxy_protocol: { from: ["::1"] }
)");
  ASSERT_EQ(config.listeners.size(), 2u);
  const Guards& defaults = config.defaults.guards;
  EXPECT_EQ(defaults.allow, std::vector{network("10.0.0.0/8")});
  EXPECT_EQ(defaults.max_connections_per_source, 3u);
  EXPECT_EQ(config.listeners[0].limits.guards, defaults);
  const Guards& b = config.listeners[1].limits.guards;
  EXPECT_TRUE(b.allow.empty());
  EXPECT_EQ(b.deny, defaults.deny);  // not written: inherited
  EXPECT_EQ(b.max_connections_per_source, 0u);
  EXPECT_EQ(b.source_prefix_v6, 56u);
  // A connection_rate is one value: the burst is not inherited from the
  // defaults' rate.
  EXPECT_EQ(b.connection_rate, (TokenRate{Rate{5, 1s}, 10}));
  EXPECT_EQ(b.proxy_from, std::vector{network("::1")});
}

TEST(GuardsConfig, UnixListenerInheritsDefaultsWithoutComplaint) {
  const auto config = load(R"(defaults:
  allow: [10.0.0.0/8]
  connection_rate: { per_source: 1/s }
listeners:
  - name: u
    protocol: echo
    model: epoll
    listen: unix:/tmp/netcookd-guards-test.sock
)");
  ASSERT_EQ(config.listeners.size(), 1u);
  EXPECT_EQ(config.listeners[0].limits.guards.allow, std::vector{network("10.0.0.0/8")});
}

// ---- errors ----------------------------------------------------------------

TEST(GuardsConfigErrors, EachBadNetworkAtItsItem) {
  EXPECT_THAT(
      errors(with("    allow: [10.0.0.0/33, \"::1/129\", 10.0.0.1/8]\n")),
      ElementsAre("test.yaml:6:13: invalid network '10.0.0.0/33' in 'allow': prefix length 33 is "
                  "beyond 32 for IPv4",
                  "test.yaml:6:26: invalid network '::1/129' in 'allow': prefix length 129 is "
                  "beyond 128 for IPv6",
                  "test.yaml:6:37: invalid network '10.0.0.1/8' in 'allow': host bits are set "
                  "beyond the /8; write 10.0.0.0/8 for the network, or 10.0.0.1/32 for the one "
                  "address"));
  EXPECT_THAT(errors(with("    deny:\n      - 10.0.0.0/8\n      - 10.0.0.0/\n      - "
                          "example.com\n      - 10.0.0.0/08\n")),
              ElementsAre("test.yaml:8:9: invalid network '10.0.0.0/' in 'deny': missing prefix "
                          "length after '/'; write e.g. 10.0.0.0/8, 2001:db8::/32 or 192.0.2.7",
                          "test.yaml:9:9: invalid network 'example.com' in 'deny': 'example.com' "
                          "is not a numeric IP address (host names are not resolved); write e.g. "
                          "10.0.0.0/8, 2001:db8::/32 or 192.0.2.7",
                          "test.yaml:10:9: invalid network '10.0.0.0/08' in 'deny': prefix "
                          "length '08' has a leading zero; write 8"));
}

TEST(GuardsConfigErrors, NetworkListShape) {
  EXPECT_THAT(errors(with("    allow:\n")),
              ElementsAre("test.yaml:6:5: 'allow' needs a list of networks, e.g. [10.0.0.0/8, "
                          "\"2001:db8::/32\"]; [] for none"));
  EXPECT_THAT(errors(with("    allow: { a: 1 }\n")),
              ElementsAre("test.yaml:6:12: 'allow' must be a list of networks, e.g. "
                          "[10.0.0.0/8, \"2001:db8::/32\"], not a mapping"));
  EXPECT_THAT(errors(with("    deny: \"10.0.0.0/8, ::1\"\n")),
              ElementsAre("test.yaml:6:11: invalid network '10.0.0.0/8, ::1' in 'deny': write "
                          "several networks as a list, e.g. [10.0.0.0/8, \"2001:db8::/32\"]"));
  EXPECT_THAT(errors(with("    deny: [[10.0.0.0/8]]\n")),
              ElementsAre("test.yaml:6:12: the items of 'deny' must be networks (scalars), not "
                          "a sequence"));
}

TEST(GuardsConfigErrors, PerSourceAndPrefix) {
  EXPECT_THAT(errors(with("    max_connections_per_source: 0\n")),
              ElementsAre("test.yaml:6:33: value '0' for 'max_connections_per_source' is out of "
                          "range 1..1000000"));
  EXPECT_THAT(errors(with("    max_connections_per_source: lots\n")),
              ElementsAre("test.yaml:6:33: invalid value 'lots' for "
                          "'max_connections_per_source': expected an integer"));
  EXPECT_THAT(errors(with("    source_prefix_v6: 129\n")),
              ElementsAre("test.yaml:6:23: value '129' for 'source_prefix_v6' is out of range "
                          "1..128"));
  EXPECT_THAT(errors(with("    source_prefix_v6: 0\n")),
              ElementsAre("test.yaml:6:23: value '0' for 'source_prefix_v6' is out of range "
                          "1..128"));
}

TEST(GuardsConfigErrors, ConnectionRate) {
  const auto rate = [](std::string_view value) {
    return errors(with("    connection_rate:\n      per_source: " + std::string(value) + "\n"));
  };
  EXPECT_THAT(rate("0/s"),
              ElementsAre("test.yaml:7:19: invalid value '0/s' for 'per_source': a rate must be "
                          "at least 1 per period; write 'unlimited' for no limit"));
  EXPECT_THAT(rate("ten/s"),
              ElementsAre("test.yaml:7:19: invalid value 'ten/s' for 'per_source': the count "
                          "'ten' is not a whole number; write a rate such as 20/s (per second), "
                          "600/m (per minute) or 1000/h (per hour)"));
  EXPECT_THAT(rate("20"), ElementsAre("test.yaml:7:19: invalid value '20' for 'per_source': a "
                                      "rate needs a period: write 20/s, 20/m or 20/h"));
  EXPECT_THAT(rate("20/d"),
              ElementsAre("test.yaml:7:19: invalid value '20/d' for 'per_source': unknown period "
                          "'d'; write a rate such as 20/s (per second), 600/m (per minute) or "
                          "1000/h (per hour)"));
  EXPECT_THAT(rate("1000001/s"),
              ElementsAre("test.yaml:7:19: value '1000001/s' for 'per_source' is out of range "
                          "1/s..1000000/s"));
}

TEST(GuardsConfigErrors, ConnectionRateShape) {
  EXPECT_THAT(errors(with("    connection_rate: 20/s\n")),
              ElementsAre("test.yaml:6:22: 'connection_rate' must be a mapping, e.g. "
                          "{ per_source: 20/s, burst: 40 }"));
  EXPECT_THAT(errors(with("    connection_rate:\n")),
              ElementsAre("test.yaml:6:5: 'connection_rate' is missing required key "
                          "'per_source'"));
  EXPECT_THAT(errors(with("    connection_rate:\n      per_sorce: 20/s\n")),
              ElementsAre("test.yaml:7:7: unknown key 'per_sorce' in 'connection_rate'; did you "
                          "mean 'per_source'?",
                          "test.yaml:7:7: 'connection_rate' is missing required key "
                          "'per_source' ('per_sorce' above looks like a misspelling of it)"));
  EXPECT_THAT(errors(with("    connection_rate: { per_source: 20/s, burst: 0 }\n")),
              ElementsAre("test.yaml:6:49: value '0' for 'burst' is out of range 1..1000000"));
  EXPECT_THAT(errors(with("    connection_rate: { per_source: unlimited, burst: 5 }\n")),
              ElementsAre("test.yaml:6:47: 'burst' has no effect when 'per_source' is "
                          "unlimited"));
}

TEST(GuardsConfigErrors, ProxyProtocol) {
  EXPECT_THAT(errors(with("    proxy_protocol: {}\n")),
              ElementsAre("test.yaml:6:5: 'proxy_protocol' is missing required key 'from'"));
  EXPECT_THAT(errors(with("    proxy_protocol: { from: [] }\n")),
              ElementsAre("test.yaml:6:29: 'from' needs at least one network: the addresses of "
                          "the proxies that send a PROXY header"));
  EXPECT_THAT(errors(with("    proxy_protocol: { from: [127.0.0.1/33] }\n")),
              ElementsAre("test.yaml:6:30: invalid network '127.0.0.1/33' in 'from': prefix "
                          "length 33 is beyond 32 for IPv4"));
  EXPECT_THAT(errors(with("    proxy_protocol: { form: [127.0.0.1] }\n")),
              ElementsAre("test.yaml:6:23: unknown key 'form' in 'proxy_protocol'; did you mean "
                          "'from'?",
                          "test.yaml:6:23: 'proxy_protocol' is missing required key 'from' "
                          "('form' above looks like a misspelling of it)"));
}

TEST(GuardsConfigErrors, MisspeltGuardKeysAreSuggested) {
  EXPECT_THAT(errors(with("    alow: [10.0.0.0/8]\n")),
              ElementsAre("test.yaml:6:5: unknown key 'alow' in listener 'echo'; did you mean "
                          "'allow'?"));
  EXPECT_THAT(errors("defaults:\n  max_connection_per_source: 2\n" + std::string(kListener)),
              ElementsAre("test.yaml:2:3: unknown key 'max_connection_per_source' in section "
                          "'defaults'; did you mean 'max_connections_per_source'?"));
  EXPECT_THAT(errors(with("    connection_rates: { per_source: 1/s }\n")),
              ElementsAre("test.yaml:6:5: unknown key 'connection_rates' in listener 'echo'; did "
                          "you mean 'connection_rate'?"));
}

TEST(GuardsConfigErrors, ErrorsInDefaultsToo) {
  EXPECT_THAT(errors("defaults:\n  deny: [10.0.0.1/8]\n" + std::string(kListener)),
              ElementsAre("test.yaml:2:10: invalid network '10.0.0.1/8' in 'deny': host bits "
                          "are set beyond the /8; write 10.0.0.0/8 for the network, or "
                          "10.0.0.1/32 for the one address"));
}

TEST(GuardsConfigErrors, AddressRulesOnAUnixListener) {
  EXPECT_THAT(errors(R"(listeners:
  - name: u
    protocol: echo
    model: epoll
    listen: unix:/tmp/netcookd-guards-test.sock
    deny: [10.0.0.0/8]
    max_connections_per_source: 2
    proxy_protocol: { from: [127.0.0.1] }
)"),
              ElementsAre("test.yaml:6:5: 'deny' does not apply to a unix-socket listener: its "
                          "peers have no IP address",
                          "test.yaml:7:5: 'max_connections_per_source' does not apply to a "
                          "unix-socket listener: its peers have no IP address",
                          "test.yaml:8:5: 'proxy_protocol' does not apply to a unix-socket "
                          "listener: its peers have no IP address"));
}

// ---- chat flood control ------------------------------------------------------

TEST(ChatFloodConfig, DefaultsTenASecondBurstFifty) {
  const auto config = load(chat_with("      max_line: 1KiB\n"));
  ASSERT_EQ(config.listeners.size(), 1u);
  EXPECT_EQ(config.listeners[0].chat.flood, (TokenRate{Rate{10, 1s}, 50}));
}

TEST(ChatFloodConfig, RateAndBurst) {
  EXPECT_EQ(flood_of("      rate: 5/s\n      burst: 8\n"), (TokenRate{Rate{5, 1s}, 8}));
  // burst stays 50 whatever the rate.
  EXPECT_EQ(flood_of("      rate: 600/m\n"), (TokenRate{Rate{600, 1min}, 50}));
  EXPECT_EQ(flood_of("      rate: 200/s\n"), (TokenRate{Rate{200, 1s}, 50}));
  EXPECT_EQ(flood_of("      burst: 100\n"), (TokenRate{Rate{10, 1s}, 100}));
  EXPECT_EQ(flood_of("      rate: unlimited\n"), TokenRate{});
  EXPECT_TRUE(flood_of("      rate: unlimited\n").rate.unlimited());
}

TEST(ChatFloodConfig, Errors) {
  EXPECT_THAT(errors(chat_with("      rate: 0/s\n")),
              ElementsAre("test.yaml:7:13: invalid value '0/s' for 'rate': a rate must be at "
                          "least 1 per period; write 'unlimited' for no limit"));
  EXPECT_THAT(errors(chat_with("      rate: ten/s\n")),
              ElementsAre("test.yaml:7:13: invalid value 'ten/s' for 'rate': the count 'ten' is "
                          "not a whole number; write a rate such as 20/s (per second), 600/m "
                          "(per minute) or 1000/h (per hour)"));
  EXPECT_THAT(errors(chat_with("      rate: 10\n")),
              ElementsAre("test.yaml:7:13: invalid value '10' for 'rate': a rate needs a period: "
                          "write 10/s, 10/m or 10/h"));
  EXPECT_THAT(errors(chat_with("      burst: 0\n")),
              ElementsAre("test.yaml:7:14: value '0' for 'burst' is out of range 1..1000000"));
  EXPECT_THAT(errors(chat_with("      rate: unlimited\n      burst: 5\n")),
              ElementsAre("test.yaml:8:7: 'burst' has no effect when 'rate' is unlimited"));
  EXPECT_THAT(errors(chat_with("      rates: 5/s\n")),
              ElementsAre("test.yaml:7:7: unknown key 'rates' in section 'chat' of listener "
                          "'talk'; did you mean 'rate'?"));
}

}  // namespace
}  // namespace netcook::config
