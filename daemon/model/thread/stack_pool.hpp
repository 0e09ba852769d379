#pragma once

// The stacks of connection threads, made and reused here rather than by
// glibc: glibc keeps up to 40 MiB of exited threads' stacks with the pages
// they touched at the top still resident, so a burst of connections left
// the daemon's RSS higher for good (the 2026-11-27 soak). A stack given back
// here has every page returned to the kernel (MADV_DONTNEED) once its thread
// is joined; it is kept for the next thread, up to kKept, then unmapped.
// Thread-safe.

#include <cstddef>
#include <mutex>
#include <vector>

namespace netcook::model::thread {

class StackPool {
 public:
  // The usable size of each stack; a guard page below it is added.
  explicit StackPool(std::size_t size) noexcept;
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;
  ~StackPool();

  // A stack: `base` to `base + size` is for the thread. Owned by the pool's
  // user until given back.
  struct Stack {
    void* base = nullptr;
    std::size_t size = 0;
  };

  // Throws std::system_error when no stack can be mapped.
  Stack take();
  // Its thread has been joined: nothing runs on it any more.
  void give_back(Stack stack) noexcept;

  std::size_t size() const noexcept { return size_; }

 private:
  static constexpr std::size_t kKept = 64;

  void unmap(Stack stack) const noexcept;

  const std::size_t size_;
  const std::size_t guard_;
  std::mutex mutex_;
  std::vector<Stack> spare_;  // guarded by mutex_
};

}  // namespace netcook::model::thread
