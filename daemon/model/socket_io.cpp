#include "model/socket_io.hpp"

#include "net/address.hpp"

#include "net/socket.hpp"

#include <algorithm>
#include <array>
#include <cerrno>

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

namespace netcook::model {
namespace {

// Bytes one write_outbox() writes at most, so that a large file going to a
// fast reader does not keep a reactor from its other connections.
constexpr std::size_t kSendShare = 1024 * 1024;
// The buffer of the pread(2) + send(2) way around sendfile(2); on the
// caller's stack, which may be a small thread stack.
constexpr std::size_t kCopyBuffer = 16 * 1024;

constexpr int kSendFlags = MSG_NOSIGNAL | MSG_DONTWAIT;

ssize_t send_bytes(net::Fd socket, proto::Outbox& out, std::size_t most) noexcept {
  const std::string_view bytes = out.pending();
  const ssize_t sent = ::send(socket.get(), bytes.data(), std::min(bytes.size(), most), kSendFlags);
  if (sent > 0) out.consume(static_cast<std::size_t>(sent));
  return sent;
}

// Up to `most` bytes of the file through a small buffer, for files
// sendfile(2) cannot read. Returns what send(2) returns, or what pread(2)
// returns when it fails or the file ended (0).
ssize_t copy_range(net::Fd socket, const proto::Outbox::FileSlice& file,
                   std::size_t most) noexcept {
  std::array<char, kCopyBuffer> buffer;
  const ssize_t got =
      ::pread(file.file.get(), buffer.data(), std::min(most, buffer.size()), file.offset);
  if (got <= 0) return got;
  return ::send(socket.get(), buffer.data(), static_cast<std::size_t>(got), kSendFlags);
}

ssize_t send_file(net::Fd socket, proto::Outbox& out, proto::Outbox::FileSlice file,
                  std::size_t most) noexcept {
  const std::size_t want = std::min(file.length, most);
  ssize_t sent = -1;
  if (!file.copy) {
    off_t offset = file.offset;  // sendfile(2) moves this, not the file's offset
    sent = ::sendfile(socket.get(), file.file.get(), &offset, want);
    if (sent < 0 && (errno == EINVAL || errno == ENOSYS)) {
      out.copy_next_file();
      file.copy = true;
    }
  }
  if (file.copy) sent = copy_range(socket, file, want);
  if (sent > 0) out.consume_file(static_cast<std::size_t>(sent));
  return sent;
}

// What recv(2) returned, as a ReadResult (errno when it failed).
ReadResult read_result(ssize_t got) noexcept {
  if (got > 0) return {ReadResult::Status::data, static_cast<std::size_t>(got)};
  if (got == 0) return {ReadResult::Status::end};
  if (errno == EAGAIN || errno == EWOULDBLOCK) return {ReadResult::Status::would_block};
  return {ReadResult::Status::failed, 0, errno};
}

}  // namespace

ReadResult read_socket(net::Fd socket, std::span<char> buffer) noexcept {
  ssize_t got = 0;
  do {
    got = ::recv(socket.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
  } while (got < 0 && errno == EINTR);
  return read_result(got);
}

ReadResult wait_socket(net::Fd socket, std::span<char> buffer) noexcept {
  const ssize_t got = ::recv(socket.get(), buffer.data(), buffer.size(), 0);
  if (got < 0 && errno == EINTR) return {ReadResult::Status::would_block};
  return read_result(got);
}

ReadResult peek_socket(net::Fd socket, std::span<char> buffer) noexcept {
  ssize_t got = 0;
  do {
    got = ::recv(socket.get(), buffer.data(), buffer.size(), MSG_PEEK | MSG_DONTWAIT);
  } while (got < 0 && errno == EINTR);
  return read_result(got);
}

int discard_socket(net::Fd socket, std::span<char> scratch, std::size_t size) noexcept {
  while (size > 0) {
    const ssize_t got =
        ::recv(socket.get(), scratch.data(), std::min(size, scratch.size()), MSG_DONTWAIT);
    if (got > 0) {
      size -= static_cast<std::size_t>(got);
    } else if (got < 0 && errno == EINTR) {
      continue;
    } else {
      return got == 0 ? ECONNRESET : errno;  // what was peeked cannot vanish
    }
  }
  return 0;
}

WriteResult write_outbox(net::Fd socket, proto::Outbox& out) noexcept {
  WriteResult result;
  while (!out.empty()) {
    if (result.sent >= kSendShare) {
      result.status = WriteResult::Status::paused;
      return result;
    }
    const std::size_t most = kSendShare - result.sent;
    const auto file = out.next_file();
    const ssize_t sent = file ? send_file(socket, out, *file, most) : send_bytes(socket, out, most);
    if (sent > 0) {
      result.sent += static_cast<std::size_t>(sent);
    } else if (sent < 0 && errno == EINTR) {
      continue;
    } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      result.status = WriteResult::Status::would_block;
      return result;
    } else {
      // 0: nothing was written though something was asked: a file ended
      // before its range did. Waiting would not help.
      result.status = WriteResult::Status::failed;
      result.error = sent < 0 ? errno : EIO;
      return result;
    }
  }
  return result;
}

Peer prepare_socket(net::Fd socket) {
  net::set_nodelay(socket);
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getpeername(socket.get(), reinterpret_cast<sockaddr*>(&storage), &length) != 0)
    return {"?", "?", std::nullopt};
  const auto* address = reinterpret_cast<const sockaddr*>(&storage);
  return {net::format_sockaddr(address, length), net::format_host(address, length),
          net::ip_of(address, length)};
}

}  // namespace netcook::model
