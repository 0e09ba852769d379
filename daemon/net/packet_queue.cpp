#include "net/packet_queue.hpp"

#include "net/packet.hpp"

#include <cerrno>

#include <sys/socket.h>

namespace netcook::net {

bool PacketQueue::send(std::string packet) {
  if (broken_) return false;
  if (queue_.empty()) {
    const int sent = try_send(packet);
    if (sent != 0) return sent > 0;
  }
  bytes_ += packet.size();
  queue_.push_back(std::move(packet));
  return true;
}

bool PacketQueue::flush() noexcept {
  while (!broken_ && !queue_.empty()) {
    const int sent = try_send(queue_.front());
    if (sent == 0) break;
    if (sent > 0) {
      bytes_ -= queue_.front().size();
      queue_.pop_front();
    }
  }
  return !broken_;
}

int PacketQueue::try_send(const std::string& packet) noexcept {
  const int error = send_packet(socket_, packet, MSG_DONTWAIT);
  if (error == 0) return 1;
  if (error == EAGAIN) return 0;
  broken_ = true;
  queue_.clear();
  bytes_ = 0;
  return -1;
}

}  // namespace netcook::net
