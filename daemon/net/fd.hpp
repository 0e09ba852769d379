#pragma once

// A file descriptor that this object does not own: copyable, never closes
// anything. Whoever hands one out keeps the descriptor open for as long as
// the receiver may use it (the owner is a UniqueFd, see unique_fd.hpp).
// Where a function takes an Fd, it borrows; where it takes a UniqueFd, it
// takes ownership.

namespace netcook::net {

class Fd {
 public:
  constexpr Fd() noexcept = default;
  constexpr explicit Fd(int fd) noexcept : fd_(fd) {}

  constexpr int get() const noexcept { return fd_; }
  constexpr bool valid() const noexcept { return fd_ >= 0; }
  constexpr explicit operator bool() const noexcept { return valid(); }

  friend constexpr bool operator==(Fd, Fd) noexcept = default;

 private:
  int fd_ = -1;
};

}  // namespace netcook::net
