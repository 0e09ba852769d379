#include "model/fork/process_setup.hpp"

#include "event/signals.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace netcook::model::fork {
namespace {

bool kept(int fd, std::initializer_list<int> keep) {
  return fd <= STDERR_FILENO || std::find(keep.begin(), keep.end(), fd) != keep.end();
}

// Without close_range(2) (kernels before 5.9): close what /proc lists.
void close_listed_fds(std::initializer_list<int> keep) noexcept {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return;
  const int own = ::dirfd(dir);
  std::array<int, 256> doomed{};
  std::size_t count = 0;
  bool more = true;
  // Closing while iterating would disturb the listing: collect, close,
  // and list again until nothing is left to close.
  while (more) {
    more = false;
    count = 0;
    ::rewinddir(dir);
    while (const dirent* entry = ::readdir(dir)) {
      const int fd = std::atoi(entry->d_name);
      if (entry->d_name[0] < '0' || entry->d_name[0] > '9' || fd == own || kept(fd, keep))
        continue;
      if (count == doomed.size()) {
        more = true;
        break;
      }
      doomed[count++] = fd;
    }
    for (std::size_t i = 0; i < count; ++i) ::close(doomed[i]);
  }
  ::closedir(dir);
}

}  // namespace

bool die_with_parent(pid_t parent) noexcept {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return false;
  return ::getppid() == parent;
}

void close_fds_except(std::initializer_list<int> keep) noexcept {
  // Sorted by insertion: no allocation, a handful of descriptors.
  std::array<int, 8> sorted{};
  std::size_t count = 0;
  for (const int fd : keep) {
    if (fd <= STDERR_FILENO || count == sorted.size()) continue;
    std::size_t at = count++;
    for (; at > 0 && sorted[at - 1] > fd; --at) sorted[at] = sorted[at - 1];
    sorted[at] = fd;
  }
  unsigned first = STDERR_FILENO + 1;  // first number not yet closed
  for (std::size_t i = 0; i <= count; ++i) {
    const unsigned last = i < count ? static_cast<unsigned>(sorted[i]) - 1 : UINT_MAX;
    if (first <= last && ::close_range(first, last, 0) != 0) {
      close_listed_fds(keep);
      return;
    }
    if (i < count) first = static_cast<unsigned>(sorted[i]) + 1;
  }
}

void reset_signals_for_fork_process() noexcept {
  event::reset_signals();
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
}

}  // namespace netcook::model::fork
