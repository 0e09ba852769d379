#pragma once

// Bytes a session has produced that the driver has not yet written to the
// socket. Owned by the connection. An idle connection's outbox holds no heap
// memory: storage is released once everything has been written.

#include <cstddef>
#include <string>
#include <string_view>

namespace netcook::proto {

class Outbox {
 public:
  void append(std::string_view bytes) { buffer_.append(bytes); }
  void append(char byte) { buffer_.push_back(byte); }

  // What is still to be written, oldest first.
  std::string_view pending() const noexcept {
    return std::string_view(buffer_).substr(head_);
  }
  std::size_t size() const noexcept { return buffer_.size() - head_; }
  bool empty() const noexcept { return size() == 0; }

  // `count` bytes of pending() were written.
  void consume(std::size_t count) noexcept;

  // Drops everything (the connection is going away).
  void clear() noexcept;

 private:
  std::string buffer_;
  std::size_t head_ = 0;  // bytes at the front already written
};

}  // namespace netcook::proto
