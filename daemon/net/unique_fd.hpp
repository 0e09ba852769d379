#pragma once

// The owner of a file descriptor. Nobody calls close() by hand: a UniqueFd
// closes what it holds when it is destroyed or reset. Fd (fd.hpp) is the
// non-owning kind.

#include "net/fd.hpp"

#include <utility>

#include <unistd.h>

namespace netcook::net {

// A move-only owner of one file descriptor (or none, -1).
class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  // The descriptor, still owned by this object.
  Fd borrow() const noexcept { return Fd(fd_); }
  bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Gives up ownership; the caller must close the result.
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace netcook::net
