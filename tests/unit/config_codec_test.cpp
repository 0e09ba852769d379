// The binary encoding of a listener's settings (config/codec.hpp): the
// primitives, round trips, and inputs that must not decode (truncated, too
// long, out-of-range values).

#include "config/codec.hpp"
#include "config/names.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace netcook::config {
namespace {

using namespace std::chrono_literals;
using Kind = net::Address::Kind;

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

net::Cidr network(std::string_view text) {
  return net::parse_cidr(text).cidr.value();
}

Guards full_guards() {
  return {{network("10.0.0.0/8"), network("2001:db8::/32")},
          {network("192.0.2.7")},
          61,
          62,
          {Rate{63, 1min}, 64},
          {network("::1"), network("198.51.100.0/24")}};
}

// A room on a bus, every field set (the unix socket's, and a host and port
// besides, which the loader would not give it; the codec does not care).
ChatOptions full_chat() {
  ChatOptions chat;
  chat.max_line = 31;
  chat.max_outbox = 32000;
  chat.max_members = 33;
  chat.flood = {Rate{34, 1h}, 35};
  chat.room = "room-36";
  chat.bus = BusEndpoint{BusEndpoint::Kind::unix_socket, "bus-host-37", 38, "/run/bus-39.sock",
                         14, "redis+unix:///run/bus-39.sock?db=14"};
  chat.bus_password_file = "password-40";
  chat.history = 41;
  chat.presence_ttl = 42s;
  chat.bus_outage = 43min;
  chat.bus_queue = 44;
  chat.bus_timeout = 45ms;
  return chat;
}

// TLS with every field set; client_ca's path differs from its text as a
// credential's would.
TlsOptions full_tls() {
  TlsOptions tls;
  tls.certificate = {"/tls/cert-61.pem", "/tls/cert-62.pem"};
  tls.key = {"key-63", "/run/credentials/key-64"};
  tls.min_version = TlsVersion::v1_3;
  tls.ciphers = "HIGH:!aNULL-65";
  tls.ciphersuites = "TLS_AES_128_GCM_SHA256-66";
  tls.client_ca = CredentialPath{"ca-67", "/run/credentials/ca-68"};
  tls.verify_client = VerifyClient::require;
  tls.handshake_timeout = 69ms;
  tls.mark = {70, 71};
  return tls;
}

// Every field differs from its default, and fields of one type differ from
// each other, so a field dropped or two swapped by the codec show. (body and
// root together would not pass the loader; the codec does not care.)
Listener full_listener() {
  Listener listener;
  listener.name = "codec-test";
  listener.protocol = Protocol::http;
  listener.model = Model::fork;
  listener.listen = {Kind::inet6, "2001:db8::7", 7171};
  listener.workers = 3;
  listener.limits = {11, 12s, 13s, 14s, 15000, true, full_guards()};
  listener.echo = {EchoMode::line, "[{pid}] {peer}: ", 21000};
  listener.chat = full_chat();
  listener.http = {"body\n", "/srv/www", "text/html", "home.html", 41000, 42000, 43s, 44s, true, true};
  listener.tls = full_tls();
  listener.mark = {51, 52};
  return listener;
}

void expect_round_trip(const Listener& original) {
  const auto decoded = decode_listener(encode_listener(original));
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->same_settings(original));
  EXPECT_EQ(decoded->mark.line, original.mark.line);
  EXPECT_EQ(decoded->mark.column, original.mark.column);
  // same_settings() compares only whether there is TLS, and TlsOptions' ==
  // leaves out its mark.
  EXPECT_EQ(decoded->tls, original.tls);
  if (original.tls) {
    EXPECT_EQ(decoded->tls->mark.line, original.tls->mark.line);
    EXPECT_EQ(decoded->tls->mark.column, original.tls->mark.column);
  }
}

// `bytes` with the integer at `offset` replaced by `value`.
std::string with_integer(std::string bytes, std::size_t offset, std::uint64_t value) {
  Encoder out;
  out.u64(value);
  return bytes.replace(offset, 8, out.take());
}

// ---- primitives ------------------------------------------------------------

TEST(Encoder, IntegersAreEightBytesLittleEndian) {
  Encoder out;
  out.u64(0x0102030405060708);
  EXPECT_EQ(out.take(), std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8));
  EXPECT_EQ(out.take(), "");  // take() empties the encoder
}

TEST(Codec, PrimitivesRoundTrip) {
  const std::string mebibyte(std::size_t{1} << 20, '\0');
  Encoder out;
  for (auto value : {std::uint64_t{0}, std::uint64_t{1}, kMaxU64}) out.u64(value);
  for (auto value : {std::string(), mebibyte, std::string("a\0b", 3)}) out.text(value);
  for (auto value : {true, false}) out.flag(value);
  for (auto value : {0ms, 1ms, Duration(24h), -1ms, Duration::max(), Duration::min()})
    out.duration(value);
  const auto bytes = out.take();

  Decoder in(bytes);
  for (auto expected : {std::uint64_t{0}, std::uint64_t{1}, kMaxU64}) {
    std::uint64_t value = 7;
    EXPECT_TRUE(in.u64(value) && value == expected) << expected;
  }
  for (auto expected : {std::string(), mebibyte, std::string("a\0b", 3)}) {
    std::string value = "x";
    EXPECT_TRUE(in.text(value) && value == expected) << expected.size();
  }
  for (auto expected : {true, false}) {
    bool value = !expected;
    EXPECT_TRUE(in.flag(value) && value == expected);
  }
  for (auto expected : {0ms, 1ms, Duration(24h), -1ms, Duration::max(), Duration::min()}) {
    Duration value = 7ms;
    EXPECT_TRUE(in.duration(value) && value == expected) << expected.count();
  }
  EXPECT_TRUE(in.done());
}

TEST(Decoder, ShortInputFails) {
  std::uint64_t number = 0;
  Decoder in(std::string_view("1234567", 7));
  EXPECT_FALSE(in.u64(number));
  EXPECT_FALSE(in.done());
}

TEST(Decoder, TextLongerThanTheInputFails) {
  for (auto length : {std::uint64_t{4}, kMaxU64}) {
    Encoder out;
    out.u64(length);
    const auto bytes = out.take() + "abc";
    Decoder in(bytes);
    std::string text;
    EXPECT_FALSE(in.text(text)) << length;
  }
}

TEST(Decoder, FlagIsZeroOrOne) {
  bool value = false;
  Decoder in("\2");
  EXPECT_FALSE(in.flag(value));
}

TEST(Decoder, OnceFailedEveryCallFails) {
  Encoder out;
  out.flag(true);
  out.u64(5);
  const auto bytes = "\2" + out.take();
  Decoder in(bytes);
  bool flag = false;
  std::uint64_t number = 0;
  EXPECT_FALSE(in.flag(flag));
  EXPECT_FALSE(in.u64(number));  // the next 8 bytes are there, but too late
  EXPECT_FALSE(in.done());

  Decoder rejected(bytes);
  EXPECT_FALSE(rejected.reject());
  EXPECT_FALSE(rejected.flag(flag));
}

// ---- listeners -------------------------------------------------------------

TEST(ListenerCodec, DefaultRoundTrips) {
  expect_round_trip(Listener{});
}

TEST(ListenerCodec, FullRoundTrips) {
  expect_round_trip(full_listener());
}

TEST(ListenerCodec, EveryEnumeratorRoundTrips) {
  auto listener = full_listener();
  for (const auto& protocol : kProtocolNames) {
    listener.protocol = protocol.value;
    expect_round_trip(listener);
  }
  for (const auto& model : kModelNames) {
    listener.model = model.value;
    expect_round_trip(listener);
  }
  for (const auto& mode : kEchoModeNames) {
    listener.echo.mode = mode.value;
    expect_round_trip(listener);
  }
  for (auto kind : {Kind::inet4, Kind::inet6, Kind::any, Kind::unix_path}) {
    listener.listen.kind = kind;
    expect_round_trip(listener);
  }
  for (auto kind : {BusEndpoint::Kind::tcp, BusEndpoint::Kind::unix_socket}) {
    listener.chat.bus->kind = kind;
    expect_round_trip(listener);
  }
  for (const auto& version : kTlsVersionNames) {
    listener.tls->min_version = version.value;
    expect_round_trip(listener);
  }
  for (const auto& verify : kVerifyClientNames) {
    listener.tls->verify_client = verify.value;
    expect_round_trip(listener);
  }
}

TEST(ListenerCodec, TlsRoundTrips) {
  auto listener = full_listener();
  const auto decoded = decode_listener(encode_listener(listener));
  ASSERT_TRUE(decoded && decoded->tls);
  EXPECT_EQ(decoded->tls->certificate.written, "/tls/cert-61.pem");
  EXPECT_EQ(decoded->tls->client_ca, (CredentialPath{"ca-67", "/run/credentials/ca-68"}));
  // Plain: no tls at all.
  listener.tls.reset();
  expect_round_trip(listener);
  EXPECT_FALSE(decode_listener(encode_listener(listener))->tls);
  // No client_ca.
  listener.tls = full_tls();
  listener.tls->client_ca.reset();
  expect_round_trip(listener);
  EXPECT_FALSE(decode_listener(encode_listener(listener))->tls->client_ca);
}

// min_version and verify_client: one past the last enumerator fails. They
// follow the key's path and the client_ca's, as the encoding orders them.
TEST(ListenerCodec, UnknownTlsEnumeratorsFail) {
  const auto listener = full_listener();
  const auto bytes = encode_listener(listener);
  const auto version = bytes.find(listener.tls->key.path) + listener.tls->key.path.size();
  const auto verify = bytes.find(listener.tls->client_ca->path) + listener.tls->client_ca->path.size();
  ASSERT_TRUE(decode_listener(with_integer(bytes, version, kTlsVersionNames.size() - 1)));
  EXPECT_FALSE(decode_listener(with_integer(bytes, version, kTlsVersionNames.size())));
  ASSERT_TRUE(decode_listener(with_integer(bytes, verify, kVerifyClientNames.size() - 1)));
  EXPECT_FALSE(decode_listener(with_integer(bytes, verify, kVerifyClientNames.size())));
}

TEST(ListenerCodec, EveryStrictPrefixFails) {
  for (const auto& listener : {Listener{}, full_listener()}) {
    const auto bytes = encode_listener(listener);
    for (std::size_t size = 0; size < bytes.size(); ++size)
      EXPECT_FALSE(decode_listener(std::string_view(bytes).substr(0, size))) << size;
  }
}

TEST(ListenerCodec, TrailingBytesFail) {
  const auto bytes = encode_listener(full_listener());
  EXPECT_FALSE(decode_listener(bytes + '\0'));
  EXPECT_FALSE(decode_listener(bytes + bytes));
}

TEST(ListenerCodec, GuardsAndFloodControlRoundTrip) {
  const auto original = full_listener();
  const auto decoded = decode_listener(encode_listener(original));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->limits.guards, full_guards());
  EXPECT_EQ(decoded->chat.flood, (TokenRate{Rate{34, 1h}, 35}));
  EXPECT_EQ(decoded->limits.guards.deny.at(0).written_bits(), 32u);
  EXPECT_TRUE(decoded->limits.guards.deny.at(0).v4);
  EXPECT_FALSE(decoded->limits.guards.allow.at(1).v4);

  auto unlimited = original;
  unlimited.chat.flood = {};
  unlimited.limits.guards = {};
  const auto plain = decode_listener(encode_listener(unlimited));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->chat.flood, TokenRate{});
  EXPECT_EQ(plain->limits.guards, Guards{});
}

TEST(ListenerCodec, ChatBusRoundTrips) {
  auto listener = full_listener();
  listener.protocol = Protocol::chat;
  listener.chat.bus = BusEndpoint{BusEndpoint::Kind::tcp, "2001:db8::6", 6380, "", 3,
                                  "redis://[2001:db8::6]:6380/3"};
  const auto decoded = decode_listener(encode_listener(listener));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->chat, listener.chat);
  EXPECT_EQ(decoded->chat.bus->url, "redis://[2001:db8::6]:6380/3");
  EXPECT_EQ(decoded->chat.bus_password_file, "password-40");

  // A local room: no bus, and the bus's settings at their defaults.
  auto local = listener;
  local.chat = ChatOptions{};
  const auto plain = decode_listener(encode_listener(local));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->chat, ChatOptions{});
  EXPECT_FALSE(plain->chat.bus);
}

// The deny list of the full listener holds one network, 192.0.2.7/32: its
// 16 bytes follow their length, which follows the list's size, and its
// prefix length follows them.
TEST(ListenerCodec, CorruptNetworksFail) {
  const auto listener = full_listener();
  const auto bytes = encode_listener(listener);
  const auto& address = listener.limits.guards.deny.at(0).network.bytes;
  const auto at = bytes.find(std::string(address.begin(), address.end()));
  ASSERT_NE(at, std::string::npos);
  const auto bits = at + address.size();
  const auto list_size = at - 16;
  ASSERT_TRUE(decode_listener(with_integer(bytes, bits, 128)));
  EXPECT_FALSE(decode_listener(with_integer(bytes, bits, 129)));
  EXPECT_FALSE(decode_listener(with_integer(bytes, at - 8, 15)));  // not 16 bytes
  EXPECT_FALSE(decode_listener(with_integer(bytes, list_size, (std::uint64_t{1} << 16) + 1)));
  EXPECT_FALSE(decode_listener(with_integer(bytes, list_size, kMaxU64)));
  EXPECT_FALSE(decode_listener(with_integer(bytes, list_size, 2)));  // more than there are
}

// An integer field found by its place in the encoding, and how to read it back.
struct Field {
  const char* name;
  std::size_t offset;
  std::function<std::uint64_t(const Listener&)> read;
};

// Offsets of the fields around the full listener's texts (each text follows
// its 8-byte length).
std::vector<Field> integer_fields(const Listener& listener, const std::string& bytes) {
  const auto after_name = bytes.find(listener.name) + listener.name.size();
  const auto host = bytes.find(listener.listen.host);
  const auto prefix = bytes.find(listener.echo.prefix);
  const auto& bus = *listener.chat.bus;
  const auto bus_host = bytes.find(bus.host);
  const auto bus_path = bytes.find(bus.path);
  return {
      {"protocol", after_name, [](const auto& l) { return std::uint64_t(l.protocol); }},
      {"model", after_name + 8, [](const auto& l) { return std::uint64_t(l.model); }},
      {"kind", host - 16, [](const auto& l) { return std::uint64_t(l.listen.kind); }},
      {"port", host + listener.listen.host.size(), [](const auto& l) { return l.listen.port; }},
      {"workers", host + listener.listen.host.size() + 8, [](const auto& l) { return l.workers; }},
      {"echo mode", prefix - 16, [](const auto& l) { return std::uint64_t(l.echo.mode); }},
      {"bus kind", bus_host - 16, [](const auto& l) { return std::uint64_t(l.chat.bus->kind); }},
      {"bus port", bus_host + bus.host.size(), [](const auto& l) { return l.chat.bus->port; }},
      {"bus db", bus_path + bus.path.size(), [](const auto& l) { return l.chat.bus->db; }},
  };
}

TEST(ListenerCodec, OutOfRangeValuesFail) {
  const auto listener = full_listener();
  const auto bytes = encode_listener(listener);
  const auto fields = integer_fields(listener, bytes);
  // One past the last valid value of each field above.
  const std::uint64_t first_invalid[] = {
      kProtocolNames.size(), kModelNames.size(),     4, std::uint64_t{1} << 16,
      std::uint64_t{1} << 32, kEchoModeNames.size(), 2, std::uint64_t{1} << 16,
      std::uint64_t{1} << 32};
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& field = fields[i];
    const auto last = decode_listener(with_integer(bytes, field.offset, first_invalid[i] - 1));
    ASSERT_TRUE(last) << field.name;  // the offset is right: the field changed
    EXPECT_EQ(field.read(*last), first_invalid[i] - 1) << field.name;
    EXPECT_FALSE(decode_listener(with_integer(bytes, field.offset, first_invalid[i])))
        << field.name;
    EXPECT_FALSE(decode_listener(with_integer(bytes, field.offset, kMaxU64))) << field.name;
  }
}

}  // namespace
}  // namespace netcook::config
