#include "model/thread/stack_pool.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <limits.h>
#include <sys/mman.h>
#include <unistd.h>

namespace netcook::model::thread {
namespace {

std::size_t page_size() noexcept { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

std::size_t round_up(std::size_t size, std::size_t page) noexcept {
  return (size + page - 1) / page * page;
}

// ThreadSanitizer keeps its per-thread state (about 800 KiB) in the thread's
// TLS, at the top of its stack, and pthread_create fails with EINVAL on a
// stack given to it that cannot hold that and 128 KiB more.
#if defined(__SANITIZE_THREAD__)
#define NETCOOK_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NETCOOK_TSAN 1
#endif
#endif
std::size_t smallest_stack() noexcept {
#ifdef NETCOOK_TSAN
  return 2 * 1024 * 1024;
#else
  return PTHREAD_STACK_MIN;  // sysconf(_SC_THREAD_STACK_MIN) in glibc 2.34+
#endif
}

}  // namespace

StackPool::StackPool(std::size_t size) noexcept
    : size_(round_up(std::max<std::size_t>(size, smallest_stack() + kResidentTop), page_size())),
      guard_(page_size()) {}

StackPool::~StackPool() {
  for (const Stack& stack : spare_) unmap(stack);
}

// Stacks grow down: the guard page, never accessible, is the lowest.
StackPool::Stack StackPool::take() {
  {
    std::lock_guard lock(mutex_);
    if (!spare_.empty()) {
      const Stack stack = spare_.back();
      spare_.pop_back();
      return stack;
    }
  }
  void* mapping = ::mmap(nullptr, guard_ + size_, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (mapping == MAP_FAILED)
    throw std::system_error(errno, std::generic_category(), "mmap of a thread stack");
  if (::mprotect(mapping, guard_, PROT_NONE) != 0) {
    const int error = errno;
    ::munmap(mapping, guard_ + size_);
    throw std::system_error(error, std::generic_category(), "mprotect of a stack guard");
  }
  return {static_cast<char*>(mapping) + guard_, size_};
}

void StackPool::give_back(Stack stack) noexcept {
  ::madvise(stack.base, stack.size - kResidentTop, MADV_DONTNEED);
  {
    std::lock_guard lock(mutex_);
    if (spare_.size() < kKept) {
      try {
        spare_.push_back(stack);
        return;
      } catch (...) {
        // No room to keep it: unmapped below.
      }
    }
  }
  unmap(stack);
}

void StackPool::unmap(Stack stack) const noexcept {
  ::munmap(static_cast<char*>(stack.base) - guard_, guard_ + stack.size);
}

}  // namespace netcook::model::thread
