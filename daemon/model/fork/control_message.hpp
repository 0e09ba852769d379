#pragma once

// The control protocol between the main process and the fork master. One
// message is one SOCK_SEQPACKET packet, so the socket does the framing; a
// listening socket travels alongside a `start` message with SCM_RIGHTS
// (net/packet.hpp). Both ends are built from the same source, so the encoding
// is config/codec.hpp's plain fixed field order with no versioning.

#include "config/config.hpp"
#include "model/close_reason.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netcook::model::fork {

// Packets on the control socket and on a child's hub socket are at most
// this big. A unix SEQPACKET packet must fit the sender's SO_SNDBUF (about
// 208 KiB by default), so this leaves room.
inline constexpr std::size_t kMaxPacket = 128 * 1024;

// A packet on a connection process's link to the hub starts with a tag, so
// that an empty message is still a packet (an empty SEQPACKET read means
// end of file).
inline constexpr char kMessageTag = 'm';   // child -> master: Uplink::send
inline constexpr char kDeliveryTag = 'd';  // master -> child: Courier::deliver

enum class Op : std::uint8_t {
  // main -> master; each is answered with an `ack` carrying its `request`.
  start = 1,       // listener, settings, limits, log_level; fd attached
  stop_accepting,  // listener, reason (for the connections it later ends)
  stop,            // listener: end its connections, forget it
  shutdown,        // end every listener and exit
  log_level,       // log_level: for the master, its listeners and the
                   // connection processes they fork from now on
  renew_tls,       // listener, settings: load its TLS section anew for the
                   // connection processes forked from now on
  // master -> main
  ack,          // request, error ("" on success)
  connections,  // listener, value: connections open now
  drained,      // listener: the last connection closed after stop_accepting
};

struct ControlMessage {
  Op op = Op::ack;
  std::uint64_t listener = 0;
  std::uint64_t request = 0;
  std::uint64_t value = 0;
  int log_level = 0;  // spdlog::level::level_enum
  CloseReason reason = CloseReason::shutdown;
  std::string error;
  // Only in `start` (and `settings` in `renew_tls`): the listener as
  // validated (the master makes its Protocol from it, and loads its TLS
  // context) and the limits its driver enforces.
  config::Listener settings;
  config::Limits limits;
};

// Throws std::length_error when the message would not fit one packet.
std::string encode(const ControlMessage& message);

// Empty when `packet` is not a well-formed message.
std::optional<ControlMessage> decode(std::string_view packet);

}  // namespace netcook::model::fork
