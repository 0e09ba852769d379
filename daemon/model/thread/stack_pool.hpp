#pragma once

// The stacks of connection threads, made and reused here rather than by
// glibc: glibc keeps up to 40 MiB of exited threads' stacks (160 of ours)
// with their top pages resident, so a burst of connections left the
// daemon's RSS higher for good (the 2026-11-27 soak). A stack given back
// here, once its thread is joined, returns its pages to the kernel
// (MADV_DONTNEED) but the top kResidentTop, where the next thread's
// descriptor, TLS and frames go at once; it is kept for the next thread, up
// to kKept (so at most 512 KiB stays resident), then unmapped. Thread-safe.
//
// kResidentTop, measured with the echo-connect load (8 connections in
// flight, a thread each): 8 or 16 KiB left one page fault per connection
// and 40% more CPU per connection than glibc's own stacks; with 32 KiB
// there are none, and the CPU is glibc's.

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

  static constexpr std::size_t kResidentTop = 32 * 1024;

 private:
  static constexpr std::size_t kKept = 16;

  void unmap(Stack stack) const noexcept;

  const std::size_t size_;
  const std::size_t guard_;
  std::mutex mutex_;
  std::vector<Stack> spare_;  // guarded by mutex_
};

}  // namespace netcook::model::thread
