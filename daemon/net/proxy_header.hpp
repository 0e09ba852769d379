#pragma once

// The PROXY protocol header (v1 text and v2 binary) that a load balancer sends
// at the start of a connection to say whom it relays: parsed sans-I/O from the
// bytes received so far, per https://www.haproxy.org/download/2.8/doc/proxy-protocol.txt.
//
// What we accept, strictly as the spec says and as haproxy and nginx send it:
// - v1: "PROXY TCP4 a.b.c.d e.f.g.h sport dport\r\n", the same with "TCP6"
//   and IPv6 text (inet_pton's forms), or "PROXY UNKNOWN" followed by CRLF or
//   by a space and anything up to the CRLF. Single spaces; IPv4 as a dotted
//   quad of 0..255 and ports as 0..65535, decimal without leading zeros
//   ("0" itself is fine); the line with its CRLF in at most 107 bytes. The
//   line ends at its first CR, which must be followed by LF; a bare LF is
//   invalid (a sender that ends lines with LF alone must not get its data
//   taken for the rest of an UNKNOWN line).
// - v2: the 12-byte signature, version 2, command LOCAL or PROXY, a family
//   (UNSPEC, INET, INET6, UNIX) and a transport (UNSPEC, STREAM, DGRAM), the
//   length, the address block, then TLVs, which are skipped; each must lie
//   within the length, as haproxy requires. LOCAL ignores the family byte and
//   everything after the 16 bytes (the real peer stands). PROXY takes the
//   addresses of INET and INET6 over STREAM only, as haproxy and nginx do:
//   a DGRAM flow's address is not this stream's peer, so, as the spec allows
//   for a combination a receiver does not support, it falls back to UNSPEC
//   (no address) after the same checks of length and TLVs. A transport or a
//   family of UNSPEC has no address block of known size: nothing after the
//   16 bytes is looked at. Unassigned versions, commands, families and
//   transports are invalid.

#include <cstddef>
#include <string>
#include <string_view>

#include <sys/socket.h>

namespace netcook::net {

// The largest header accepted: a v1 line is at most 107 bytes; a v2 header is 16 bytes plus its
// length field, and we accept at most kMaxProxyHeader bytes in all (TLVs beyond that: invalid).
inline constexpr std::size_t kMaxProxyHeader = 16 + 4096;

// A v1 line, CRLF included, is at most this long (the spec's worst case, UNKNOWN with two
// IPv6 addresses and ports).
inline constexpr std::size_t kMaxProxyV1Line = 107;

struct ProxyHeader {
  enum class Command { local, proxy };
  Command command = Command::local;
  // The original client and the address it connected to, for PROXY over TCP: v1 TCP4/TCP6,
  // v2 PROXY with AF_INET/AF_INET6 over STREAM (sockaddr_in / sockaddr_in6, ports set); length
  // 0 when the header names none (v2 LOCAL, v1 "UNKNOWN", v2 AF_UNSPEC, AF_UNIX, DGRAM or an
  // UNSPEC transport): the real peer then stands.
  sockaddr_storage source{};
  socklen_t source_length = 0;
  sockaddr_storage destination{};
  socklen_t destination_length = 0;
  std::size_t length = 0;  // bytes the header took at the start of the stream
};

struct ProxyParse {
  enum class Status { incomplete, invalid, complete };
  Status status = Status::incomplete;
  ProxyHeader header;  // when complete
  std::string error;   // when invalid: a short reason for the log ("not a PROXY header",
                       // "v1: bad source port", "v2: unsupported version 3", ...)
};

// Parses the start of a connection's bytes (everything received so far, never more than
// kMaxProxyHeader needed). incomplete: give it more bytes (it decides as early as possible that
// bytes cannot be a header: e.g. a first byte that is neither 'P' nor '\r' is invalid at once; a
// v1 line without CRLF within 107 bytes is invalid). Bytes after the header are not looked at.
// Pure: the same bytes give the same answer, and a prefix of a complete header is incomplete.
ProxyParse parse_proxy_header(std::string_view bytes);

}  // namespace netcook::net
