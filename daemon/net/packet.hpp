#pragma once

// Sending and receiving one SOCK_SEQPACKET packet, optionally with a file
// descriptor attached (SCM_RIGHTS). I/O results are values: these never
// throw and never raise SIGPIPE.

#include "net/fd.hpp"
#include "net/unique_fd.hpp"

#include <cstddef>
#include <span>
#include <string_view>

#include <sys/types.h>

namespace netcook::net {


// Sends `bytes` as one packet, with `fd` attached when it is valid (the
// receiver gets its own copy; the caller keeps `fd`). `flags` adds to
// MSG_NOSIGNAL (e.g. MSG_DONTWAIT). Returns 0 or the errno.
int send_packet(Fd socket, std::string_view bytes, int flags, Fd fd = {}) noexcept;

struct ReceivedPacket {
  // Bytes received; 0 at end of file (an empty packet is never sent), -1 on
  // error with `error` set (EAGAIN when nothing is waiting).
  ssize_t size = -1;
  int error = 0;
  bool truncated = false;  // the packet was larger than the buffer
  UniqueFd fd;        // attached descriptor, close-on-exec; owned
};

// Receives one packet into `buffer`. `flags` adds to MSG_CMSG_CLOEXEC.
ReceivedPacket receive_packet(Fd socket, std::span<char> buffer, int flags) noexcept;

}  // namespace netcook::net
