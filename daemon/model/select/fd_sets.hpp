#pragma once

// The read and write sets one select(2) call watches. select(2) can only
// watch file descriptors below FD_SETSIZE (1024 on Linux): FD_SET() on a
// larger one writes past the fd_set (and a build with _FORTIFY_SOURCE, as
// Debian's packages are, aborts the process). Every descriptor added here
// has been checked with selectable() first; add() refuses the others rather
// than corrupt memory.

#include <cassert>

#include <sys/select.h>

namespace netcook::model::select_model {

// The first file descriptor select(2) cannot watch.
inline constexpr int kFdCeiling = FD_SETSIZE;

inline bool selectable(int fd) noexcept { return fd >= 0 && fd < kFdCeiling; }

class FdSet {
 public:
  FdSet() noexcept { FD_ZERO(&set_); }

  // Returns false (and adds nothing) for a descriptor select cannot watch.
  bool add(int fd) noexcept {
    assert(selectable(fd));
    if (!selectable(fd)) return false;
    FD_SET(fd, &set_);
    return true;
  }

  bool has(int fd) const noexcept { return selectable(fd) && FD_ISSET(fd, &set_); }

  fd_set* get() noexcept { return &set_; }

 private:
  fd_set set_;
};

// What the next select(2) call waits for.
struct Interest {
  FdSet read;
  FdSet write;
  int max_fd = -1;

  void want_read(int fd) noexcept {
    if (read.add(fd) && fd > max_fd) max_fd = fd;
  }
  void want_write(int fd) noexcept {
    if (write.add(fd) && fd > max_fd) max_fd = fd;
  }
};

}  // namespace netcook::model::select_model
