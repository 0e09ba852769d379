#include "config/codec.hpp"

#include "config/names.hpp"

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace netcook::config {

// ---- primitives ----------------------------------------------------------

void Encoder::u64(std::uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8)
    bytes_.push_back(static_cast<char>((value >> shift) & 0xFF));
}

void Encoder::text(std::string_view value) {
  u64(value.size());
  bytes_.append(value);
}

void Encoder::flag(bool value) {
  bytes_.push_back(value ? '\1' : '\0');
}

void Encoder::duration(Duration value) {
  u64(static_cast<std::uint64_t>(value.count()));
}

std::string Encoder::take() noexcept {
  return std::exchange(bytes_, {});
}

bool Decoder::u64(std::uint64_t& value) noexcept {
  if (failed_ || rest_.size() < 8) return reject();
  value = 0;
  for (std::size_t i = 0; i < 8; ++i)
    value |= std::uint64_t{static_cast<unsigned char>(rest_[i])} << (8 * i);
  rest_.remove_prefix(8);
  return true;
}

bool Decoder::text(std::string& value) {
  std::uint64_t length = 0;
  if (!u64(length)) return false;
  if (length > rest_.size()) return reject();
  value.assign(rest_.substr(0, static_cast<std::size_t>(length)));
  rest_.remove_prefix(static_cast<std::size_t>(length));
  return true;
}

bool Decoder::flag(bool& value) noexcept {
  if (failed_ || rest_.empty() || static_cast<unsigned char>(rest_[0]) > 1) return reject();
  value = rest_[0] == '\1';
  rest_.remove_prefix(1);
  return true;
}

bool Decoder::duration(Duration& value) noexcept {
  std::uint64_t bits = 0;
  if (!u64(bits)) return false;
  value = Duration(static_cast<Duration::rep>(bits));
  return true;
}

bool Decoder::reject() noexcept {
  failed_ = true;
  return false;
}

// ---- settings --------------------------------------------------------------
// Each struct is taken apart with a structured binding that names every
// member: a member added to the struct stops this file from compiling until it
// is encoded and decoded here. (Chosen over a static_assert on sizeof, which
// depends on the standard library's std::string and misses a member that fits
// into padding, such as a bool after HttpOptions::access_log.)

namespace {

constexpr std::array kAddressKinds{net::Address::Kind::inet4, net::Address::Kind::inet6,
                                   net::Address::Kind::any, net::Address::Kind::unix_path};

// An integer (signed ones in two's complement) or an enumerator's number.
template <typename T>
void encode_number(Encoder& out, T value) {
  out.u64(static_cast<std::uint64_t>(value));
}

// Fails on a number that does not fit in T.
template <typename T>
bool decode_integer(Decoder& in, T& value) {
  std::uint64_t bits = 0;
  if (!in.u64(bits)) return false;
  const auto number = std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>(bits);
  if (!std::in_range<T>(number)) return in.reject();
  value = static_cast<T>(number);
  return true;
}

template <typename E>
E enumerator(E value) {
  return value;
}
template <typename E>
E enumerator(const Named<E>& named) {
  return named.value;
}

// Only an enumerator listed in `valid` (a names table, or the values).
template <typename E, typename Table>
bool decode_enum(Decoder& in, const Table& valid, E& value) {
  std::uint64_t number = 0;
  if (!in.u64(number)) return false;
  for (const auto& entry : valid) {
    if (static_cast<std::uint64_t>(enumerator(entry)) != number) continue;
    value = enumerator(entry);
    return true;
  }
  return in.reject();
}

void encode(Encoder& out, const net::Address& address) {
  const auto& [kind, host, port] = address;
  encode_number(out, kind);
  out.text(host);
  encode_number(out, port);
}

bool decode(Decoder& in, net::Address& address) {
  auto& [kind, host, port] = address;
  return decode_enum(in, kAddressKinds, kind) && in.text(host) && decode_integer(in, port);
}

void encode(Encoder& out, const net::Cidr& cidr) {
  const auto& [network, bits, v4] = cidr;
  const auto& [bytes] = network;
  out.text(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  encode_number(out, bits);
  out.flag(v4);
}

bool decode(Decoder& in, net::Cidr& cidr) {
  auto& [network, bits, v4] = cidr;
  std::string bytes;
  if (!in.text(bytes) || bytes.size() != network.bytes.size()) return in.reject();
  for (std::size_t i = 0; i < bytes.size(); ++i)
    network.bytes[i] = static_cast<std::uint8_t>(bytes[i]);
  return decode_integer(in, bits) && bits <= 128 && in.flag(v4);
}

void encode(Encoder& out, const std::vector<net::Cidr>& list) {
  encode_number(out, list.size());
  for (const auto& cidr : list) encode(out, cidr);
}

// At most kMaxCidrs entries, so that a corrupt length cannot allocate much.
bool decode(Decoder& in, std::vector<net::Cidr>& list) {
  constexpr std::size_t kMaxCidrs = 1 << 16;
  std::size_t size = 0;
  if (!decode_integer(in, size) || size > kMaxCidrs) return in.reject();
  list.assign(size, net::Cidr{});
  for (auto& cidr : list)
    if (!decode(in, cidr)) return false;
  return true;
}

void encode(Encoder& out, const TokenRate& token_rate) {
  const auto& [rate, burst] = token_rate;
  const auto& [count, period] = rate;
  encode_number(out, count);
  out.duration(period);
  encode_number(out, burst);
}

bool decode(Decoder& in, TokenRate& token_rate) {
  auto& [rate, burst] = token_rate;
  auto& [count, period] = rate;
  return decode_integer(in, count) && in.duration(period) && decode_integer(in, burst);
}

void encode(Encoder& out, const Guards& guards) {
  const auto& [allow, deny, max_connections_per_source, source_prefix_v6, connection_rate,
               proxy_from] = guards;
  encode(out, allow);
  encode(out, deny);
  encode_number(out, max_connections_per_source);
  encode_number(out, source_prefix_v6);
  encode(out, connection_rate);
  encode(out, proxy_from);
}

bool decode(Decoder& in, Guards& guards) {
  auto& [allow, deny, max_connections_per_source, source_prefix_v6, connection_rate,
         proxy_from] = guards;
  return decode(in, allow) && decode(in, deny) && decode_integer(in, max_connections_per_source) &&
         decode_integer(in, source_prefix_v6) && decode(in, connection_rate) &&
         decode(in, proxy_from);
}

void encode(Encoder& out, const EchoOptions& echo) {
  const auto& [mode, prefix, max_line] = echo;
  encode_number(out, mode);
  out.text(prefix);
  encode_number(out, max_line);
}

bool decode(Decoder& in, EchoOptions& echo) {
  auto& [mode, prefix, max_line] = echo;
  return decode_enum(in, kEchoModeNames, mode) && in.text(prefix) && decode_integer(in, max_line);
}

constexpr std::array kBusKinds{BusEndpoint::Kind::tcp, BusEndpoint::Kind::unix_socket};

void encode(Encoder& out, const std::optional<BusEndpoint>& bus) {
  out.flag(bus.has_value());
  if (!bus) return;
  const auto& [kind, host, port, path, db, url] = *bus;
  encode_number(out, kind);
  out.text(host);
  encode_number(out, port);
  out.text(path);
  encode_number(out, db);
  out.text(url);
}

bool decode(Decoder& in, std::optional<BusEndpoint>& bus) {
  bool present = false;
  if (!in.flag(present)) return false;
  if (!present) {
    bus.reset();
    return true;
  }
  auto& [kind, host, port, path, db, url] = bus.emplace();
  return decode_enum(in, kBusKinds, kind) && in.text(host) && decode_integer(in, port) &&
         in.text(path) && decode_integer(in, db) && in.text(url);
}

void encode(Encoder& out, const ChatOptions& chat) {
  const auto& [max_line, max_outbox, max_members, flood, room, bus, bus_password_file, history,
               presence_ttl, bus_outage, bus_queue, bus_timeout] = chat;
  encode_number(out, max_line);
  encode_number(out, max_outbox);
  encode_number(out, max_members);
  encode(out, flood);
  out.text(room);
  encode(out, bus);
  out.text(bus_password_file);
  encode_number(out, history);
  out.duration(presence_ttl);
  out.duration(bus_outage);
  encode_number(out, bus_queue);
  out.duration(bus_timeout);
}

bool decode(Decoder& in, ChatOptions& chat) {
  auto& [max_line, max_outbox, max_members, flood, room, bus, bus_password_file, history,
         presence_ttl, bus_outage, bus_queue, bus_timeout] = chat;
  return decode_integer(in, max_line) && decode_integer(in, max_outbox) &&
         decode_integer(in, max_members) && decode(in, flood) && in.text(room) &&
         decode(in, bus) && in.text(bus_password_file) && decode_integer(in, history) &&
         in.duration(presence_ttl) && in.duration(bus_outage) && decode_integer(in, bus_queue) &&
         in.duration(bus_timeout);
}

void encode(Encoder& out, const HttpOptions& http) {
  const auto& [body, root, content_type, index, max_header, max_body, header_timeout,
               keepalive_timeout, access_log, status] = http;
  out.text(body);
  out.text(root);
  out.text(content_type);
  out.text(index);
  encode_number(out, max_header);
  encode_number(out, max_body);
  out.duration(header_timeout);
  out.duration(keepalive_timeout);
  out.flag(access_log);
  out.flag(status);
}

bool decode(Decoder& in, HttpOptions& http) {
  auto& [body, root, content_type, index, max_header, max_body, header_timeout, keepalive_timeout,
         access_log, status] = http;
  return in.text(body) && in.text(root) && in.text(content_type) && in.text(index) &&
         decode_integer(in, max_header) && decode_integer(in, max_body) &&
         in.duration(header_timeout) && in.duration(keepalive_timeout) && in.flag(access_log) &&
         in.flag(status);
}

void encode(Encoder& out, const Mark& mark) {
  const auto& [line, column] = mark;
  encode_number(out, line);
  encode_number(out, column);
}

bool decode(Decoder& in, Mark& mark) {
  auto& [line, column] = mark;
  return decode_integer(in, line) && decode_integer(in, column);
}

void encode(Encoder& out, const CredentialPath& file) {
  const auto& [written, path] = file;
  out.text(written);
  out.text(path);
}

bool decode(Decoder& in, CredentialPath& file) {
  auto& [written, path] = file;
  return in.text(written) && in.text(path);
}

void encode(Encoder& out, const std::optional<CredentialPath>& file) {
  out.flag(file.has_value());
  if (file) encode(out, *file);
}

bool decode(Decoder& in, std::optional<CredentialPath>& file) {
  bool present = false;
  if (!in.flag(present)) return false;
  if (!present) {
    file.reset();
    return true;
  }
  return decode(in, file.emplace());
}

void encode(Encoder& out, const std::optional<TlsOptions>& tls) {
  out.flag(tls.has_value());
  if (!tls) return;
  const auto& [certificate, key, min_version, ciphers, ciphersuites, client_ca, verify_client,
               handshake_timeout, mark] = *tls;
  encode(out, certificate);
  encode(out, key);
  encode_number(out, min_version);
  out.text(ciphers);
  out.text(ciphersuites);
  encode(out, client_ca);
  encode_number(out, verify_client);
  out.duration(handshake_timeout);
  encode(out, mark);
}

bool decode(Decoder& in, std::optional<TlsOptions>& tls) {
  bool present = false;
  if (!in.flag(present)) return false;
  if (!present) {
    tls.reset();
    return true;
  }
  auto& [certificate, key, min_version, ciphers, ciphersuites, client_ca, verify_client,
         handshake_timeout, mark] = tls.emplace();
  return decode(in, certificate) && decode(in, key) &&
         decode_enum(in, kTlsVersionNames, min_version) && in.text(ciphers) &&
         in.text(ciphersuites) && decode(in, client_ca) &&
         decode_enum(in, kVerifyClientNames, verify_client) && in.duration(handshake_timeout) &&
         decode(in, mark);
}

}  // namespace

void encode(Encoder& out, const Limits& limits) {
  const auto& [max_connections, idle_timeout, read_timeout, shutdown_timeout, max_outbox,
               log_connections, guards] = limits;
  encode_number(out, max_connections);
  out.duration(idle_timeout);
  out.duration(read_timeout);
  out.duration(shutdown_timeout);
  encode_number(out, max_outbox);
  out.flag(log_connections);
  encode(out, guards);
}

bool decode(Decoder& in, Limits& limits) {
  auto& [max_connections, idle_timeout, read_timeout, shutdown_timeout, max_outbox,
         log_connections, guards] = limits;
  return decode_integer(in, max_connections) && in.duration(idle_timeout) &&
         in.duration(read_timeout) && in.duration(shutdown_timeout) &&
         decode_integer(in, max_outbox) && in.flag(log_connections) && decode(in, guards);
}

void encode(Encoder& out, const Listener& listener) {
  const auto& [name, protocol, model, listen, workers, limits, echo, chat, http, tls, mark,
               model_mark] = listener;
  out.text(name);
  encode_number(out, protocol);
  encode_number(out, model);
  encode(out, listen);
  encode_number(out, workers);
  encode(out, limits);
  encode(out, echo);
  encode(out, chat);
  encode(out, http);
  encode(out, tls);
  encode(out, mark);
  encode(out, model_mark);
}

bool decode(Decoder& in, Listener& listener) {
  auto& [name, protocol, model, listen, workers, limits, echo, chat, http, tls, mark, model_mark] =
      listener;
  return in.text(name) && decode_enum(in, kProtocolNames, protocol) &&
         decode_enum(in, kModelNames, model) && decode(in, listen) && decode_integer(in, workers) &&
         decode(in, limits) && decode(in, echo) && decode(in, chat) && decode(in, http) &&
         decode(in, tls) && decode(in, mark) && decode(in, model_mark);
}

std::string encode_listener(const Listener& listener) {
  Encoder out;
  encode(out, listener);
  return out.take();
}

std::optional<Listener> decode_listener(std::string_view bytes) {
  Decoder in(bytes);
  Listener listener;
  if (!decode(in, listener) || !in.done()) return std::nullopt;
  return listener;
}

}  // namespace netcook::config
