#pragma once

// The control protocol between the main process and the fork master. One
// message is one SOCK_SEQPACKET packet, so the socket does the framing; a
// listening socket travels alongside a `start` message with SCM_RIGHTS
// (fd_passing.hpp). Both ends are built from the same source, so the
// encoding is a plain fixed field order with no versioning.

#include "config/config.hpp"

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

enum class Op : std::uint8_t {
  // main -> master; each is answered with an `ack` carrying its `request`.
  start = 1,       // listener, name, spec, limits, log_level; fd attached
  stop_accepting,  // listener
  stop,            // listener: end its connections, forget it
  shutdown,        // end every listener and exit
  log_level,       // log_level: for the master, its listeners and the
                   // connection processes they fork from now on
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
  std::string name;
  std::string spec;
  std::string error;
  config::Limits limits;
};

// Throws std::length_error when the message would not fit one packet.
std::string encode(const ControlMessage& message);

// Empty when `packet` is not a well-formed message.
std::optional<ControlMessage> decode(std::string_view packet);

}  // namespace netcook::model::fork
