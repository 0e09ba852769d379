#pragma once

// Output a session has produced that the driver has not yet written to the
// socket: bytes, and ranges of open files (static files, sent with
// sendfile(2) so that they never enter memory), written in the order they
// were appended. Owned by the connection. An idle connection's outbox holds
// no heap memory: storage is released once everything has been written.

#include "net/unique_fd.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace netcook::proto {

// What one Outbox::send_to() did. A value, never an exception.
struct SendResult {
  enum class Status {
    done,         // everything was written: the outbox is empty
    would_block,  // the socket is full (EAGAIN): wait until it is writable
    paused,       // this call's share was written and the socket may take
                  // more: let other connections have a turn, then call again
    error,        // see `error`; the connection should end
  };
  Status status = Status::done;
  std::size_t sent = 0;  // bytes written by this call, from memory and files
  // errno when status is error; EIO also when a file ended before its range.
  int error = 0;
};

class Outbox {
 public:
  void append(std::string_view bytes) {
    if (buffer_.empty()) buffer_.reserve(kFirstAllocation);
    buffer_.append(bytes);
  }
  void append(char byte) {
    if (buffer_.empty()) buffer_.reserve(kFirstAllocation);
    buffer_.push_back(byte);
  }

  // `length` bytes of `file` from `offset`, to be written after everything
  // appended so far. The outbox shares ownership of the file until the range
  // is written or dropped. The file's own offset is never used or moved, so
  // one open file may serve many connections at once. If the file is shorter
  // than promised when it is written, send_to() reports an error.
  void append_file(std::shared_ptr<const net::UniqueFd> file, off_t offset, std::size_t length);

  // The bytes to write next: those before the first file range, oldest first.
  std::string_view pending() const noexcept {
    const std::string_view bytes(buffer_);
    return files_.empty() ? bytes.substr(head_) : bytes.substr(head_, files_.front().at - head_);
  }
  // Bytes held in memory, still to be written (what max_outbox limits). A
  // file range holds no memory and counts for nothing here.
  std::size_t size() const noexcept { return buffer_.size() - head_; }
  // Nothing at all is left to write, bytes or file ranges.
  bool empty() const noexcept { return size() == 0 && files_.empty(); }

  // `count` bytes of pending() were written (at most pending().size()).
  void consume(std::size_t count) noexcept;

  // Writes to `socket` what it takes now, oldest first, up to a fair share
  // per call, and drops what was written. Never blocks: bytes go with
  // send(2) and MSG_DONTWAIT, but sendfile(2) has no such flag, so `socket`
  // must be non-blocking; nor can sendfile be told MSG_NOSIGNAL, so the
  // process must ignore SIGPIPE (main.cpp and the fork processes do).
  SendResult send_to(int socket) noexcept;

  // Drops everything (the connection is going away).
  void clear() noexcept;

 private:
  struct FileRange {
    std::shared_ptr<const net::UniqueFd> file;
    off_t offset;        // of the next byte to write
    std::size_t length;  // left to write
    std::size_t at;      // its place in the stream: after buffer_[0, at)
    bool copy = false;   // sendfile(2) refused this file: pread(2) + send(2)
  };

  // The storage the first byte after an empty spell gets: a response is
  // appended in several pieces (an HTTP head is five), and growing the
  // string piece by piece would allocate and copy two or three times per
  // response. One allocation, released again once everything is written.
  static constexpr std::size_t kFirstAllocation = 512;

  ssize_t send_bytes(int socket, std::size_t most) noexcept;
  ssize_t send_file(int socket, std::size_t most) noexcept;
  void drop_bytes() noexcept;

  std::string buffer_;
  std::size_t head_ = 0;  // bytes at the front already written
  // Oldest first; rarely more than a few, so the front is erased in place.
  std::vector<FileRange> files_;
};

}  // namespace netcook::proto
