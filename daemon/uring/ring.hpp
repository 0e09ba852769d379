#pragma once

// One io_uring of a reactor thread (issue 22: the io_uring model). This
// folder is the only daemon code that includes <liburing.h>.
//
// A Ring batches submissions (an operation is prepared with prepare() and
// goes to the kernel with the next wait), hands each completion to the
// Completion that prepared it, and is its thread's event::Waiter: the
// thread's event::Loop waits in the ring, which watches the loop's epoll
// descriptor with a multishot poll, so that the loop's timers,
// registrations, deferred and posted work run as under epoll while the
// worker's sockets complete in the ring without a system call each.
//
// A Completion must outlive every operation it prepared: the model frees a
// connection only once nothing of it is in flight (a late completion would
// otherwise reach freed memory).

#include "event/loop.hpp"

#include <cstdint>
#include <string>

#include <liburing.h>

namespace netcook::uring {

class Completion {
 public:
  // `result` and `flags` as the completion queue entry has them (result:
  // bytes, a descriptor, or -errno; flags: IORING_CQE_F_MORE, a buffer id).
  virtual void completed(std::int32_t result, std::uint32_t flags) noexcept = 0;

 protected:
  ~Completion() = default;
};

class Ring final : public event::Waiter {
 public:
  // Throws std::system_error with io_uring_setup's error: ENOSYS (no
  // io_uring in this kernel), EPERM (kernel.io_uring_disabled, or a seccomp
  // filter), ENOMEM (locked memory).
  explicit Ring(unsigned entries = 1024);
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // An entry for an operation of `owner`'s, submitted with the next wait;
  // never null (a full queue is submitted first).
  io_uring_sqe* prepare(Completion& owner);
  io_uring* native() noexcept { return &ring_; }

  // event::Waiter.
  bool wait(int epoll_fd, int timeout_ms) override;
  void dispatch() noexcept override;

 private:
  io_uring ring_{};
  int watched_epoll_ = -1;  // the epoll descriptor a multishot poll is armed on
};

// Why io_uring cannot be used in this process ("io_uring is disabled
// (kernel.io_uring_disabled, or a seccomp filter): Operation not
// permitted"), or empty: a ring is made and dropped to find out.
std::string unavailable();

}  // namespace netcook::uring
