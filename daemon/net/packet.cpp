#include "net/packet.hpp"

#include <cerrno>
#include <cstring>

#include <sys/socket.h>

namespace netcook::net {

int send_packet(Fd socket, std::string_view bytes, int flags, Fd fd) noexcept {
  iovec io{const_cast<char*>(bytes.data()), bytes.size()};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd) {
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    const int raw = fd.get();
    std::memcpy(CMSG_DATA(header), &raw, sizeof raw);
  }
  while (true) {
    if (::sendmsg(socket.get(), &message, MSG_NOSIGNAL | flags) >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

ReceivedPacket receive_packet(Fd socket, std::span<char> buffer, int flags) noexcept {
  iovec io{buffer.data(), buffer.size()};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  // Room for a few descriptors: any beyond the first are closed, never leaked.
  alignas(cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))] = {};
  message.msg_control = control;
  message.msg_controllen = sizeof control;

  ReceivedPacket packet;
  do {
    packet.size = ::recvmsg(socket.get(), &message, MSG_CMSG_CLOEXEC | flags);
  } while (packet.size < 0 && errno == EINTR);
  if (packet.size < 0) {
    packet.error = errno;
    return packet;
  }
  packet.truncated = (message.msg_flags & MSG_TRUNC) != 0;
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof fd);
      if (!packet.fd)
        packet.fd.reset(fd);
      else
        UniqueFd extra(fd);
    }
  }
  return packet;
}

}  // namespace netcook::net
