#include "proto/outbox.hpp"

#include <algorithm>
#include <array>
#include <cerrno>

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

namespace netcook::proto {

namespace {
// Written bytes at the front are compacted away once they are at least this
// many and at least half the buffer, so a slow reader costs O(n) copying in
// total, not O(n) per write.
constexpr std::size_t kCompactAt = 16 * 1024;
// Bytes one send_to() writes at most, so that a large file going to a fast
// reader does not keep a reactor from its other connections.
constexpr std::size_t kSendShare = 1024 * 1024;
// The buffer of the pread(2) + send(2) way around sendfile(2); on the
// caller's stack, which may be a small thread stack.
constexpr std::size_t kCopyBuffer = 16 * 1024;

constexpr int kSendFlags = MSG_NOSIGNAL | MSG_DONTWAIT;

// Up to `most` bytes of `file` from `offset` through a small buffer, for
// files sendfile(2) cannot read. Returns what send(2) returns, or what
// pread(2) returns when it fails or the file ended (0).
ssize_t copy_range(int socket, int file, off_t offset, std::size_t most) noexcept {
  std::array<char, kCopyBuffer> buffer;
  const ssize_t got = ::pread(file, buffer.data(), std::min(most, buffer.size()), offset);
  if (got <= 0) return got;
  return ::send(socket, buffer.data(), static_cast<std::size_t>(got), kSendFlags);
}

}  // namespace

void Outbox::append_file(std::shared_ptr<const net::UniqueFd> file, off_t offset,
                         std::size_t length) {
  if (length == 0) return;
  files_.push_back({std::move(file), offset, length, buffer_.size()});
}

void Outbox::consume(std::size_t count) noexcept {
  head_ += count;
  if (head_ >= buffer_.size()) {
    drop_bytes();
  } else if (head_ >= kCompactAt && head_ * 2 >= buffer_.size()) {
    buffer_.erase(0, head_);
    for (auto& range : files_) range.at -= head_;
    head_ = 0;
  }
}

// Every byte in memory is written; file ranges still queued all come after
// them, so they now come first.
void Outbox::drop_bytes() noexcept {
  std::string().swap(buffer_);
  head_ = 0;
  for (auto& range : files_) range.at = 0;
}

void Outbox::clear() noexcept {
  drop_bytes();
  std::vector<FileRange>().swap(files_);
}

SendResult Outbox::send_to(int socket) noexcept {
  SendResult result;
  while (!empty()) {
    if (result.sent >= kSendShare) {
      result.status = SendResult::Status::paused;
      return result;
    }
    const std::size_t most = kSendShare - result.sent;
    const bool file_next = !files_.empty() && files_.front().at == head_;
    const ssize_t sent = file_next ? send_file(socket, most) : send_bytes(socket, most);
    if (sent > 0) {
      result.sent += static_cast<std::size_t>(sent);
    } else if (sent < 0 && errno == EINTR) {
      continue;
    } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      result.status = SendResult::Status::would_block;
      return result;
    } else {
      // 0: nothing was written though something was asked: a file ended
      // before its range did. Waiting would not help.
      result.status = SendResult::Status::error;
      result.error = sent < 0 ? errno : EIO;
      return result;
    }
  }
  return result;
}

ssize_t Outbox::send_bytes(int socket, std::size_t most) noexcept {
  const std::string_view bytes = pending();
  const ssize_t sent = ::send(socket, bytes.data(), std::min(bytes.size(), most), kSendFlags);
  if (sent > 0) consume(static_cast<std::size_t>(sent));
  return sent;
}

ssize_t Outbox::send_file(int socket, std::size_t most) noexcept {
  FileRange& range = files_.front();
  const std::size_t want = std::min(range.length, most);
  ssize_t sent = -1;
  if (!range.copy) {
    off_t offset = range.offset;  // sendfile(2) moves this, not the file's offset
    sent = ::sendfile(socket, range.file->get(), &offset, want);
    range.copy = sent < 0 && (errno == EINVAL || errno == ENOSYS);
  }
  if (range.copy) sent = copy_range(socket, range.file->get(), range.offset, want);
  if (sent <= 0) return sent;
  range.offset += static_cast<off_t>(sent);
  range.length -= static_cast<std::size_t>(sent);
  if (range.length == 0) {
    files_.erase(files_.begin());
    if (files_.empty()) std::vector<FileRange>().swap(files_);
  }
  return sent;
}

}  // namespace netcook::proto
