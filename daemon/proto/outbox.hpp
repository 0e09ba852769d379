#pragma once

// Output a session has produced that the driver has not yet written to the
// socket: bytes, and ranges of open files (static files, sent with
// sendfile(2) so that they never enter memory), written in the order they
// were appended. Owned by the connection. An idle connection's outbox holds
// no heap memory: storage is released once everything has been written.
//
// Only a container: the model writes it to the socket (model/socket_io.hpp),
// taking pending() bytes or the next_file() range, whichever comes first.

#include "net/fd.hpp"
#include "net/unique_fd.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace netcook::proto {

class Outbox {
 public:
  void append(std::string_view bytes) {
    if (buffer_.empty()) buffer_.reserve(kFirstAllocation);
    buffer_.append(bytes);
    appended_ += bytes.size();
  }
  void append(char byte) {
    if (buffer_.empty()) buffer_.reserve(kFirstAllocation);
    buffer_.push_back(byte);
    ++appended_;
  }

  // `length` bytes of `file` from `offset`, to be written after everything
  // appended so far. The outbox shares ownership of the file until the range
  // is written or dropped. The file's own offset is never used or moved, so
  // one open file may serve many connections at once. If the file is shorter
  // than promised when it is written, the writer reports an error (EIO).
  void append_file(std::shared_ptr<const net::UniqueFd> file, off_t offset, std::size_t length);

  // The bytes to write next: those before the first file range, oldest
  // first. Empty when a file range comes next (or nothing at all).
  std::string_view pending() const noexcept {
    const std::string_view bytes(buffer_);
    return files_.empty() ? bytes.substr(head_) : bytes.substr(head_, files_.front().at - head_);
  }
  // Bytes held in memory, still to be written (what max_outbox limits),
  // those lent to a write in flight included. A file range holds no
  // memory and counts for nothing here.
  std::size_t size() const noexcept { return buffer_.size() - head_ + in_flight_; }
  // Every byte ever appended, file ranges included, written or not: the
  // difference across a response is its size as queued (the HTTP access
  // log's bytes sent, a static file's body included).
  std::uint64_t appended() const noexcept { return appended_; }
  // Nothing at all is left to write, bytes or file ranges.
  bool empty() const noexcept { return size() == 0 && files_.empty(); }

  // `count` bytes of pending() were written (at most pending().size()).
  void consume(std::size_t count) noexcept;
  // Lends pending() to a writer whose write completes later (io_uring) and
  // needs the bytes to stay where they are meanwhile: they leave pending()
  // (moved without a copy when they are all the Outbox holds in memory,
  // the usual case, else copied) but still count in size() and empty()
  // until landed() says they were written, so that whoever waits for the
  // Outbox to drain (a connection ending, max_outbox) waits for them too.
  std::string take_pending();
  // `count` bytes lent by take_pending() were written, or will never be
  // (the write failed or was cancelled): they stop counting.
  void landed(std::size_t count) noexcept { in_flight_ -= std::min(count, in_flight_); }
  // Bytes lent by take_pending() and not yet landed().
  std::size_t in_flight() const noexcept { return in_flight_; }

  // The file range to write next, when no bytes come before it.
  struct FileSlice {
    net::Fd file;
    off_t offset;        // of the next byte to write
    std::size_t length;  // left to write (never 0)
    bool copy;           // sendfile(2) refused this file: read it into memory
  };
  std::optional<FileSlice> next_file() const noexcept;
  // The file range that comes right after pending()'s bytes (next_file()
  // once they are written), for a writer that sends both in one go.
  std::optional<FileSlice> file_after_pending() const noexcept;
  // `count` bytes of next_file() were written (at most its length).
  void consume_file(std::size_t count) noexcept;
  // `count` bytes of next_file() were read into a writer's memory for a
  // write that completes later (io_uring): they leave the range, and count
  // in size() until landed(), as take_pending()'s bytes do.
  void lend_file(std::size_t count) noexcept {
    consume_file(count);
    in_flight_ += count;
  }
  // sendfile(2) cannot read next_file(): the writer copies it from now on.
  void copy_next_file() noexcept;

  // Drops what is still to be written after the first `delimiter` in it
  // (which stays), file ranges after it included, so that a stream cut
  // short ends on a whole line; keeps everything when there is none.
  void cut_after(char delimiter) noexcept;

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

  void drop_bytes() noexcept;

  std::string buffer_;
  std::size_t head_ = 0;  // bytes at the front already written
  // Oldest first; rarely more than a few, so the front is erased in place.
  std::vector<FileRange> files_;
  std::uint64_t appended_ = 0;
  std::size_t in_flight_ = 0;  // lent by take_pending()
};

}  // namespace netcook::proto
