// config::listener_changes: one line per setting a reload changes, written
// as the configuration writes it; nothing for equal settings.

#include "config/listener_changes.hpp"

#include <functional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace netcook::config {
namespace {

using namespace std::chrono_literals;
using testing::ElementsAre;

Listener base() {
  Listener listener;
  listener.name = "chat";
  listener.protocol = Protocol::chat;
  listener.model = Model::thread;
  listener.listen = net::Address{net::Address::Kind::inet4, "127.0.0.1", 7009};
  return listener;
}

TEST(ListenerChanges, NoneForTheSameSettings) {
  EXPECT_TRUE(listener_changes(base(), base()).empty());
  Listener moved = base();
  moved.mark = {12, 3};  // only its place in the file
  EXPECT_TRUE(listener_changes(base(), moved).empty());
}

TEST(ListenerChanges, ModelAndAddressAsAnOperatorReadsThem) {
  Listener after = base();
  after.model = Model::epoll;
  after.listen = net::Address{net::Address::Kind::any, "", 7009};
  EXPECT_THAT(listener_changes(base(), after),
              ElementsAre("model thread -> epoll", "listen 127.0.0.1:7009 -> *:7009"));
}

TEST(ListenerChanges, ValuesAsTheConfigurationWritesThem) {
  Listener after = base();
  after.limits.idle_timeout = 90s;
  after.limits.max_outbox = 64 * 1024;
  after.limits.max_connections = 10;
  after.echo.prefix = "You said: ";
  after.http.body = std::string(1 << 20, 'x');
  after.http.access_log = true;
  EXPECT_THAT(listener_changes(base(), after),
              ElementsAre("max_connections 1024 -> 10", "idle_timeout 5m -> 1m30s",
                          "max_outbox 256KiB -> 64KiB", "echo.prefix \"\" -> \"You said: \"",
                          "http.body changed", "http.access_log false -> true"));
}

net::Cidr network(std::string_view text) {
  return net::parse_cidr(text).cidr.value();
}

TEST(ListenerChanges, GuardsAsTheConfigurationWritesThem) {
  Listener before = base();
  before.limits.guards.allow = {network("10.0.0.0/8")};
  before.limits.guards.connection_rate = {Rate{20, 1s}, 40};
  Listener after = base();
  after.limits.guards.allow = {network("10.0.0.0/8"), network("::1")};
  after.limits.guards.deny = {network("10.1.0.0/16")};
  after.limits.guards.max_connections_per_source = 5;
  after.limits.guards.source_prefix_v6 = 48;
  after.limits.guards.proxy_from = {network("127.0.0.1")};
  after.chat.flood = {Rate{600, 1min}, 50};
  EXPECT_THAT(listener_changes(before, after),
              ElementsAre("allow [10.0.0.0/8] -> [10.0.0.0/8, ::1/128]", "deny [] -> [10.1.0.0/16]",
                          "max_connections_per_source unlimited -> 5", "source_prefix_v6 64 -> 48",
                          "connection_rate 20/s burst 40 -> unlimited",
                          "proxy_protocol.from [] -> [127.0.0.1/32]",
                          "chat.rate 10/s burst 50 -> 600/m burst 50"));
  after = before;
  after.chat.flood = {};
  EXPECT_THAT(listener_changes(before, after), ElementsAre("chat.rate 10/s burst 50 -> unlimited"));
}

TEST(ListenerChanges, ChatBusAsTheConfigurationWritesIt) {
  Listener before = base();
  before.chat.room = "chat";
  Listener after = before;
  after.chat.room = "lobby";
  after.chat.history = 0;
  after.chat.bus =
      BusEndpoint{BusEndpoint::Kind::tcp, "127.0.0.1", 6379, "", 0, "redis://127.0.0.1:6379/0"};
  after.chat.bus_password_file = "redis-password";
  after.chat.presence_ttl = 1min;
  after.chat.bus_outage = 0s;
  after.chat.bus_queue = 500;
  after.chat.bus_timeout = 250ms;
  EXPECT_THAT(
      listener_changes(before, after),
      ElementsAre("chat.room \"chat\" -> \"lobby\"", "chat.history 20 -> 0",
                  "chat.bus none -> redis://127.0.0.1:6379/0", "chat.bus_password_file changed",
                  "chat.presence_ttl 15s -> 1m", "chat.bus_outage 30s -> 0s",
                  "chat.bus_queue 10000 -> 500", "chat.bus_timeout 5s -> 250ms"));
  before = after;
  after.chat.bus->kind = BusEndpoint::Kind::unix_socket;
  after.chat.bus->path = "/run/redis.sock";
  after.chat.bus->db = 2;
  after.chat.bus->url = "redis+unix:///run/redis.sock?db=2";
  after.chat.bus_password_file = "/etc/netcookd/other";
  EXPECT_THAT(listener_changes(before, after),
              ElementsAre("chat.bus redis://127.0.0.1:6379/0 -> redis+unix:///run/redis.sock?db=2",
                          "chat.bus_password_file changed"));
  after.chat.bus.reset();
  after.chat.bus_password_file.clear();
  EXPECT_THAT(
      listener_changes(before, after),
      ElementsAre("chat.bus redis://127.0.0.1:6379/0 -> none", "chat.bus_password_file changed"));
}

// Every setting same_settings() compares is named when it alone changes:
// a field added to Listener without a line here fails.
TEST(ListenerChanges, EverySettingIsNamed) {
  const std::vector<std::function<void(Listener&)>> edits = {
      [](Listener& l) { l.protocol = Protocol::http; },
      [](Listener& l) { l.model = Model::fork; },
      [](Listener& l) { l.listen.port = 1; },
      [](Listener& l) { l.workers = 2; },
      [](Listener& l) { l.limits.max_connections = 1; },
      [](Listener& l) { l.limits.idle_timeout = 1s; },
      [](Listener& l) { l.limits.read_timeout = 1s; },
      [](Listener& l) { l.limits.shutdown_timeout = 1s; },
      [](Listener& l) { l.limits.max_outbox = 4096; },
      [](Listener& l) { l.limits.log_connections = true; },
      [](Listener& l) { l.limits.guards.allow = {network("10.0.0.0/8")}; },
      [](Listener& l) { l.limits.guards.deny = {network("10.0.0.0/8")}; },
      [](Listener& l) { l.limits.guards.max_connections_per_source = 1; },
      [](Listener& l) { l.limits.guards.source_prefix_v6 = 48; },
      [](Listener& l) {
        l.limits.guards.connection_rate = {Rate{1, 1s}, 2};
      },
      [](Listener& l) { l.limits.guards.proxy_from = {network("::1")}; },
      [](Listener& l) { l.echo.mode = EchoMode::line; },
      [](Listener& l) { l.echo.prefix = "> "; },
      [](Listener& l) { l.echo.max_line = 16; },
      [](Listener& l) { l.chat.max_line = 16; },
      [](Listener& l) { l.chat.max_outbox = 4096; },
      [](Listener& l) { l.chat.max_members = 1; },
      [](Listener& l) { l.chat.flood.rate.count = 1; },
      [](Listener& l) { l.chat.flood.burst = 1; },
      [](Listener& l) { l.chat.room = "lobby"; },
      [](Listener& l) { l.chat.history = 0; },
      [](Listener& l) { l.chat.bus = BusEndpoint{}; },
      [](Listener& l) { l.chat.bus_password_file = "redis-password"; },
      [](Listener& l) { l.chat.presence_ttl = 3s; },
      [](Listener& l) { l.chat.bus_outage = 0s; },
      [](Listener& l) { l.chat.bus_queue = 1; },
      [](Listener& l) { l.chat.bus_timeout = 1s; },
      [](Listener& l) { l.http.body = "hi"; },
      [](Listener& l) { l.http.root = "/srv"; },
      [](Listener& l) { l.http.content_type = "text/html"; },
      [](Listener& l) { l.http.index = "home.html"; },
      [](Listener& l) { l.http.max_header = 1024; },
      [](Listener& l) { l.http.max_body = 0; },
      [](Listener& l) { l.http.header_timeout = 1s; },
      [](Listener& l) { l.http.keepalive_timeout = 1s; },
      [](Listener& l) { l.http.access_log = true; },
      [](Listener& l) { l.http.status = true; },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    Listener after = base();
    edits[i](after);
    ASSERT_FALSE(base().same_settings(after)) << "edit " << i << " changes nothing";
    EXPECT_EQ(listener_changes(base(), after).size(), 1u) << "edit " << i;
  }
}

// ---- tls -------------------------------------------------------------------

TlsOptions tls() {
  TlsOptions options;
  options.certificate = {"/etc/netcookd/tls/a.pem", "/etc/netcookd/tls/a.pem"};
  options.key = {"tls-key", "/run/credentials/netcookd.service/tls-key"};
  options.mark = {7, 5};
  return options;
}

Listener with_tls() {
  Listener listener = base();
  listener.tls = tls();
  return listener;
}

// Turning TLS on or off restarts a listener (its port speaks something
// else); a change within the tls section does not (the daemon gives new
// connections a new context). Both are described, and tls_changed() tells
// them.
TEST(ListenerChanges, TlsOnAndOff) {
  EXPECT_FALSE(base().same_settings(with_tls()));
  EXPECT_FALSE(with_tls().same_settings(base()));
  EXPECT_TRUE(tls_changed(base(), with_tls()));
  EXPECT_TRUE(tls_changed(with_tls(), base()));
  EXPECT_FALSE(tls_changed(base(), base()));
  EXPECT_THAT(listener_changes(base(), with_tls()), ElementsAre("tls off -> on"));
  EXPECT_THAT(listener_changes(with_tls(), base()), ElementsAre("tls on -> off"));
}

TEST(ListenerChanges, TlsKeysAsTheConfigurationWritesThem) {
  Listener after = with_tls();
  after.tls->certificate = {"/etc/netcookd/tls/b.pem", "/etc/netcookd/tls/b.pem"};
  after.tls->key = {"/etc/netcookd/tls/b.key", "/etc/netcookd/tls/b.key"};
  after.tls->min_version = TlsVersion::v1_3;
  after.tls->ciphersuites = "TLS_AES_128_GCM_SHA256";
  after.tls->client_ca = CredentialPath{"tls-ca", "/run/credentials/netcookd.service/tls-ca"};
  after.tls->verify_client = VerifyClient::require;
  after.tls->handshake_timeout = 2500ms;
  EXPECT_TRUE(tls_changed(with_tls(), after));
  EXPECT_THAT(listener_changes(with_tls(), after),
              ElementsAre("tls.certificate /etc/netcookd/tls/a.pem -> /etc/netcookd/tls/b.pem",
                          "tls.key tls-key -> /etc/netcookd/tls/b.key",
                          "tls.min_version 1.2 -> 1.3",
                          "tls.ciphersuites \"\" -> \"TLS_AES_128_GCM_SHA256\"",
                          "tls.client_ca none -> tls-ca", "tls.verify_client none -> require",
                          "tls.handshake_timeout 10s -> 2s500ms"));
  Listener ciphers = with_tls();
  ciphers.tls->ciphers = "HIGH:!aNULL";
  EXPECT_THAT(listener_changes(with_tls(), ciphers),
              ElementsAre("tls.ciphers \"\" -> \"HIGH:!aNULL\""));
}

TEST(ListenerChanges, TlsMovedInTheFileIsTheSame) {
  Listener moved = with_tls();
  moved.tls->mark = {40, 5};
  EXPECT_FALSE(tls_changed(with_tls(), moved));
  EXPECT_TRUE(listener_changes(with_tls(), moved).empty());
}

TEST(ListenerChanges, EveryTlsSettingIsDescribed) {
  const std::vector<std::function<void(TlsOptions&)>> edits = {
      [](TlsOptions& t) { t.certificate.written = "tls-cert"; },
      [](TlsOptions& t) { t.key.written = "/k.pem"; },
      [](TlsOptions& t) { t.min_version = TlsVersion::v1_3; },
      [](TlsOptions& t) { t.ciphers = "HIGH"; },
      [](TlsOptions& t) { t.ciphersuites = "TLS_AES_128_GCM_SHA256"; },
      [](TlsOptions& t) { t.client_ca = CredentialPath{"/ca.pem", "/ca.pem"}; },
      [](TlsOptions& t) { t.verify_client = VerifyClient::optional; },
      [](TlsOptions& t) { t.handshake_timeout = 1s; },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    Listener after = with_tls();
    edits[i](*after.tls);
    EXPECT_TRUE(tls_changed(with_tls(), after)) << "edit " << i;
    EXPECT_TRUE(with_tls().same_settings(after)) << "edit " << i;
    EXPECT_EQ(listener_changes(with_tls(), after).size(), 1u) << "edit " << i;
  }
}

}  // namespace
}  // namespace netcook::config
