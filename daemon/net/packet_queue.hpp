#pragma once

// The sending side of a non-blocking SOCK_SEQPACKET socket: packets go out
// at once while the socket has room and wait here, in order, while it is
// full. The owner watches the socket for writability while !empty() and
// calls flush(); bytes() is what the owner caps (a peer that does not keep
// up is cut off, never allowed to grow the queue without bound).

#include "net/fd.hpp"

#include <cstddef>
#include <deque>
#include <string>

namespace netcook::net {

class PacketQueue {
 public:
  explicit PacketQueue(Fd socket) noexcept : socket_(socket) {}

  // Sends `packet` (never empty), or queues it behind earlier ones. False
  // once the socket is broken (the peer closed it); later calls then do
  // nothing and return false.
  bool send(std::string packet);

  // Sends what is queued until the socket is full. False once broken.
  bool flush() noexcept;

  bool empty() const noexcept { return queue_.empty(); }
  std::size_t bytes() const noexcept { return bytes_; }
  bool broken() const noexcept { return broken_; }

 private:
  // 1 sent, 0 the socket is full, -1 broken.
  int try_send(const std::string& packet) noexcept;

  Fd socket_;
  std::deque<std::string> queue_;
  std::size_t bytes_ = 0;
  bool broken_ = false;
};

}  // namespace netcook::net
