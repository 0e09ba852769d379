// The PROXY protocol's v1 header: one line of text (net/proxy_header.hpp).

#include "net/proxy_header_detail.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace netcook::net::proxy_detail {
namespace {

using Status = ProxyParse::Status;

// Whether `text`, a field received in part, may still become `name`.
bool may_grow_into(std::string_view text, std::string_view name) {
  return text.size() <= name.size() && name.starts_with(text);
}

// A field of a v1 line: `whole` when its space or the line's end was
// received, else the part received so far, which is checked as far as it
// goes so that a line that cannot become valid is refused at once.
struct Field {
  std::string_view text;
  bool whole = false;
};

// The line's fields at single spaces: two spaces make an empty field.
class FieldReader {
 public:
  // `line` is what follows "PROXY " up to the line's CR, or all received so
  // far; `ended` says whether the CR was received.
  FieldReader(std::string_view line, bool ended) : rest_(line), ended_(ended) {}

  // The next field; nullopt once the last one was read.
  std::optional<Field> next() {
    if (done_) return std::nullopt;
    const auto space = rest_.find(' ');
    if (space == std::string_view::npos) {
      done_ = true;
      return Field{rest_, ended_};
    }
    const Field field{rest_.substr(0, space), true};
    rest_.remove_prefix(space + 1);
    return field;
  }

 private:
  std::string_view rest_;
  bool ended_;
  bool done_ = false;
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A decimal number in 0..max without leading zeros (the spec forbids them,
// lest they be read as octal), or, when not whole, the start of one.
bool decimal_fits(std::string_view text, bool whole, unsigned max) {
  if (text.empty()) return !whole;
  if (text.size() > 1 && text.front() == '0') return false;
  unsigned value = 0;
  for (const char c : text) {
    if (!is_digit(c)) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > max) return false;
  }
  return true;
}

// Exactly four dot-separated decimal numbers 0..255, as the spec requires.
bool ipv4_fits(std::string_view text, bool whole) {
  for (std::size_t octets = 1; octets <= 4; ++octets) {
    const auto dot = text.find('.');
    const bool last = dot == std::string_view::npos;
    if (!decimal_fits(text.substr(0, dot), whole || !last, 255)) return false;
    if (last) return !whole || octets == 4;
    text.remove_prefix(dot + 1);
  }
  return false;  // a fifth number
}

// inet_ntop's longest IPv6 text (an IPv4 tail included), without its NUL.
constexpr std::size_t kMaxIpv6Text = INET6_ADDRSTRLEN - 1;

// Hex digits, colons and the dots of an IPv4 tail; the whole address is
// checked by inet_pton.
bool ipv6_fits(std::string_view text) {
  return text.size() <= kMaxIpv6Text && std::all_of(text.begin(), text.end(), [](char c) {
           return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
                  c == '.';
         });
}

// The binary form of a whole v1 address; nullopt when it is not one.
std::optional<std::array<std::uint8_t, 16>> v1_address(int family, const Field& field) {
  if (!field.whole) return std::nullopt;
  if (family == AF_INET ? !ipv4_fits(field.text, true) : !ipv6_fits(field.text))
    return std::nullopt;
  std::array<std::uint8_t, 16> binary{};
  const std::string text(field.text);  // inet_pton wants a NUL
  if (inet_pton(family, text.c_str(), binary.data()) != 1) return std::nullopt;
  return binary;
}

bool v1_address_fits(int family, const Field& field) {
  if (!field.whole) return family == AF_INET ? ipv4_fits(field.text, false) : ipv6_fits(field.text);
  return v1_address(family, field).has_value();
}

bool port_fits(const Field& field) {
  return decimal_fits(field.text, field.whole, 65535);
}

std::uint16_t port_of(const Field& field) {
  unsigned value = 0;
  for (const char c : field.text) value = value * 10 + static_cast<unsigned>(c - '0');
  return static_cast<std::uint16_t>(value);
}

socklen_t store_v1(int family, const Field& address, const Field& port, sockaddr_storage& storage) {
  const auto binary = *v1_address(family, address);
  if (family == AF_INET) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port_of(port));
    std::memcpy(&in.sin_addr, binary.data(), sizeof in.sin_addr);
    return store(in, storage);
  }
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port_of(port));
  std::memcpy(&in6.sin6_addr, binary.data(), sizeof in6.sin6_addr);
  return store(in6, storage);
}

// The fields after "PROXY TCP4 " or "PROXY TCP6 ": source and destination
// addresses, source and destination ports, nothing more.
ProxyParse parse_v1_tcp(int family, FieldReader& fields) {
  struct Part {
    std::string_view name;
    bool is_port;
  };
  constexpr std::array<Part, 4> kParts{{{"source address", false},
                                        {"destination address", false},
                                        {"source port", true},
                                        {"destination port", true}}};
  std::array<Field, 4> values;
  for (std::size_t i = 0; i < kParts.size(); ++i) {
    const auto field = fields.next();
    if (!field) return invalid(fmt::format("v1: missing {}", kParts[i].name));
    const bool fits = kParts[i].is_port ? port_fits(*field) : v1_address_fits(family, *field);
    if (!fits) return invalid(fmt::format("v1: bad {}", kParts[i].name));
    if (!field->whole) return incomplete();
    values[i] = *field;
  }
  if (fields.next()) return invalid("v1: more after the destination port");
  ProxyHeader header;
  header.command = ProxyHeader::Command::proxy;
  header.source_length = store_v1(family, values[0], values[2], header.source);
  header.destination_length = store_v1(family, values[1], values[3], header.destination);
  return complete(header);
}

// The line between "PROXY " and its CR (`ended`), or all of it received so
// far: invalid as soon as a field cannot become right; complete (but for
// the length) once it ended and every field is right; else incomplete.
ProxyParse parse_v1_fields(std::string_view line, bool ended) {
  FieldReader fields(line, ended);
  const auto protocol = *fields.next();  // the first field always exists
  constexpr std::array<std::string_view, 3> kProtocols{"TCP4", "TCP6", "UNKNOWN"};
  const bool known = std::any_of(kProtocols.begin(), kProtocols.end(), [&](auto name) {
    return protocol.whole ? protocol.text == name : may_grow_into(protocol.text, name);
  });
  if (!known) return invalid("v1: unknown protocol");
  if (!protocol.whole) return incomplete();
  if (protocol.text == "TCP4") return parse_v1_tcp(AF_INET, fields);
  if (protocol.text == "TCP6") return parse_v1_tcp(AF_INET6, fields);
  // UNKNOWN: whatever follows up to the CRLF is ignored; the real peer stands.
  if (!ended) return incomplete();
  ProxyHeader header;
  header.command = ProxyHeader::Command::proxy;
  return complete(header);
}

}  // namespace

// Decides in the order the bytes come, so that the answer, once it is not
// incomplete, stays the same however many bytes follow: the fields before
// the first CR or LF, then the line's end.
ProxyParse parse_v1(std::string_view bytes) {
  if (!may_become(bytes, kV1Start)) return invalid("not a PROXY header");
  if (bytes.size() < kV1Start.size()) return incomplete();
  const auto window = bytes.substr(0, kMaxProxyV1Line);
  const auto end = window.find_first_of("\r\n");
  const bool ended = end != std::string_view::npos && window[end] == '\r';
  auto parse = parse_v1_fields(
      window.substr(kV1Start.size(), end == std::string_view::npos ? end : end - kV1Start.size()),
      ended);
  if (parse.status == Status::invalid) return parse;
  // The spec: a single CR or LF must not be taken for the line's end. Nor is
  // a bare LF part of an UNKNOWN line: a sender that ends lines with LF alone
  // must not get its data taken for the rest of the line.
  if (end != std::string_view::npos && !ended) return invalid("v1: LF without CR");
  const bool lf_received = ended && end + 1 < window.size();
  if (!lf_received) {
    if (window.size() == kMaxProxyV1Line)
      return invalid(fmt::format("v1: no CRLF within {} bytes", kMaxProxyV1Line));
    return incomplete();
  }
  if (window[end + 1] != '\n') return invalid("v1: CR without LF");
  parse.header.length = end + 2;
  return parse;
}

}  // namespace netcook::net::proxy_detail
