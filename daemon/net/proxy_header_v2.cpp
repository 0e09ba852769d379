// The PROXY protocol's v2 header: binary (net/proxy_header.hpp).

#include "net/proxy_header_detail.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>

#include <netinet/in.h>

namespace netcook::net::proxy_detail {
namespace {

constexpr std::size_t kV2Fixed = 16;  // signature, version and command, family, length

enum : unsigned { kLocal = 0x0, kProxy = 0x1 };
enum : unsigned { kUnspec = 0x0, kInet = 0x1, kInet6 = 0x2, kUnix = 0x3 };
enum : unsigned { kStream = 0x1, kDgram = 0x2 };

std::string_view family_name(unsigned family) {
  switch (family) {
    case kInet:
      return "AF_INET";
    case kInet6:
      return "AF_INET6";
    case kUnix:
      return "AF_UNIX";
    default:
      return "AF_UNSPEC";
  }
}

// The size of the address block for a PROXY command: two addresses and, for
// IP, two ports. 0 when the family or transport is UNSPEC: no block of a
// known size.
std::size_t address_block_size(unsigned family, unsigned transport) {
  constexpr std::size_t kPort = 2;
  constexpr std::size_t kUnixPath = 108;  // the spec's, whatever the system's sun_path
  if (transport != kStream && transport != kDgram) return 0;
  switch (family) {
    case kInet:
      return 2 * sizeof(in_addr) + 2 * kPort;
    case kInet6:
      return 2 * sizeof(in6_addr) + 2 * kPort;
    case kUnix:
      return 2 * kUnixPath;
    default:
      return 0;
  }
}

std::uint16_t big_endian16(const char* bytes) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(bytes[0]) << 8 |
                                    static_cast<std::uint8_t>(bytes[1]));
}

// Whether the TLVs (type, 2-byte length, value) tile `tlvs` exactly.
bool tlvs_fit(std::string_view tlvs) {
  constexpr std::size_t kTlvHead = 3;
  while (!tlvs.empty()) {
    if (tlvs.size() < kTlvHead) return false;
    const std::size_t value = big_endian16(tlvs.data() + 1);
    if (tlvs.size() - kTlvHead < value) return false;
    tlvs.remove_prefix(kTlvHead + value);
  }
  return true;
}

// The addresses of a v2 IP block, already in network byte order: source,
// destination, source port, destination port.
void store_v2(unsigned family, std::string_view block, ProxyHeader& header) {
  if (family == kInet) {
    sockaddr_in source{}, destination{};
    source.sin_family = destination.sin_family = AF_INET;
    std::memcpy(&source.sin_addr, block.data(), 4);
    std::memcpy(&destination.sin_addr, block.data() + 4, 4);
    std::memcpy(&source.sin_port, block.data() + 8, 2);
    std::memcpy(&destination.sin_port, block.data() + 10, 2);
    header.source_length = store(source, header.source);
    header.destination_length = store(destination, header.destination);
    return;
  }
  sockaddr_in6 source{}, destination{};
  source.sin6_family = destination.sin6_family = AF_INET6;
  std::memcpy(&source.sin6_addr, block.data(), 16);
  std::memcpy(&destination.sin6_addr, block.data() + 16, 16);
  std::memcpy(&source.sin6_port, block.data() + 32, 2);
  std::memcpy(&destination.sin6_port, block.data() + 34, 2);
  header.source_length = store(source, header.source);
  header.destination_length = store(destination, header.destination);
}

}  // namespace

ProxyParse parse_v2(std::string_view bytes) {
  if (!may_become(bytes, kV2Signature)) return invalid("not a PROXY header");
  if (bytes.size() <= kV2Signature.size()) return incomplete();
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  const unsigned version = byte(12) >> 4;
  const unsigned command = byte(12) & 0xf;
  if (version != 2) return invalid(fmt::format("v2: unsupported version {}", version));
  if (command != kLocal && command != kProxy)
    return invalid(fmt::format("v2: unsupported command {}", command));
  if (bytes.size() < 14) return incomplete();
  // LOCAL: the family byte is ignored, as the spec says.
  const unsigned family = byte(13) >> 4;
  const unsigned transport = byte(13) & 0xf;
  if (command == kProxy && family > kUnix)
    return invalid(fmt::format("v2: unsupported address family {}", family));
  if (command == kProxy && transport > kDgram)
    return invalid(fmt::format("v2: unsupported transport {}", transport));
  if (bytes.size() < kV2Fixed) return incomplete();

  const std::size_t length = big_endian16(bytes.data() + 14);
  const std::size_t total = kV2Fixed + length;
  if (total > kMaxProxyHeader)
    return invalid(
        fmt::format("v2: header of {} bytes, over the limit of {}", total, kMaxProxyHeader));
  const std::size_t block = command == kProxy ? address_block_size(family, transport) : 0;
  if (length < block)
    return invalid(fmt::format("v2: length {} too short for {} ({} bytes)", length,
                               family_name(family), block));
  if (bytes.size() < total) return incomplete();

  ProxyHeader header;
  header.length = total;
  if (command == kLocal) return complete(header);
  header.command = ProxyHeader::Command::proxy;
  if (block > 0 && !tlvs_fit(bytes.substr(kV2Fixed + block, length - block)))
    return invalid("v2: TLV beyond the header's length");
  if (transport == kStream && (family == kInet || family == kInet6))
    store_v2(family, bytes.substr(kV2Fixed, block), header);
  return complete(header);
}

}  // namespace netcook::net::proxy_detail
