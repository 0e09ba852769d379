#pragma once

// One io_uring of a reactor thread (the io_uring model). This folder is the
// only daemon code that includes <liburing.h>; above it, operations are
// asked for by name.
//
// A Ring batches submissions (an operation asked for now goes to the kernel
// with the next wait: one io_uring_enter per loop turn), hands each
// completion to the Completion that asked for it, and is its thread's
// event::Waiter: the thread's event::Loop waits in the ring, which watches
// the loop's epoll descriptor with a multishot poll, so that the loop's
// timers, registrations, deferred and posted work run as under epoll while
// the worker's sockets complete in the ring without a system call each.
//
// A Completion must outlive every operation it asked for: the model frees a
// connection only once nothing of it is in flight (a late completion would
// otherwise reach freed memory); cancel() makes that prompt.

#include "event/loop.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

struct io_uring;
struct io_uring_sqe;
struct io_uring_buf_ring;

namespace netcook::uring {

class Completion {
 public:
  // `result` and `flags` as the completion queue entry has them (result:
  // bytes, a descriptor, poll events, or -errno; flags: more(), buffer()).
  virtual void completed(std::int32_t result, std::uint32_t flags) noexcept = 0;

 protected:
  ~Completion() = default;
};

// A Completion that hands its completions to `owner`'s member function
// kMethod: an owner with several operations in flight at once (a receive
// and a send) tells them apart by which of its members completed.
template <typename Owner, void (Owner::*kMethod)(std::int32_t, std::uint32_t) noexcept>
class Forwarding final : public Completion {
 public:
  explicit Forwarding(Owner& owner) noexcept : owner_(owner) {}
  void completed(std::int32_t result, std::uint32_t flags) noexcept override {
    (owner_.*kMethod)(result, flags);
  }

 private:
  Owner& owner_;
};

// A multishot operation's completion says more will come (else it ended and
// must be asked for again).
bool more(std::uint32_t flags) noexcept;
// The provided buffer (BufferRing) a receive's completion filled, if any.
std::optional<std::uint16_t> buffer(std::uint32_t flags) noexcept;

class Ring final : public event::Waiter {
 public:
  // Throws std::system_error with io_uring_setup's error: ENOSYS (no
  // io_uring in this kernel), EPERM (kernel.io_uring_disabled, or a seccomp
  // filter), ENOMEM (locked memory).
  explicit Ring(unsigned entries = 1024);
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Operations, submitted with the next wait. None throws once the ring is
  // made (a full submission queue is submitted at once to make room).
  // One connection on `listening`: a descriptor, non-blocking and
  // close-on-exec, or -errno.
  void accept(Completion& owner, int listening);
  // What `socket` receives, into a buffer of `group`'s BufferRing per
  // completion, until it ends (0 at the peer's end, -ENOBUFS when the
  // group ran out) or is cancelled.
  void receive_multishot(Completion& owner, int socket, std::uint16_t group);
  // One receive into `into`.
  void receive(Completion& owner, int socket, std::span<char> into);
  // One send of `bytes` (never SIGPIPE); completes once the socket took
  // some (a short send is the caller's to continue).
  void send(Completion& owner, int socket, std::span<const char> bytes);
  // `socket`'s readiness (poll events: POLLIN, POLLOUT, POLLRDHUP...), one
  // completion per change, until cancelled.
  void poll_multishot(Completion& owner, int socket, std::uint32_t events);
  // Cancels every operation of `owner` still in flight; each completes
  // (-ECANCELED, or what it did before).
  void cancel(Completion& owner);

  // The same, returning once they are cancelled (their completions are
  // in the queue, for the next dispatch). Throws std::system_error.
  void cancel_now(Completion& owner);

  // Sends what was asked for now, without waiting. Throws
  // std::system_error.
  void submit();
  // Outside a loop (a worker whose thread is gone ending its
  // connections): submits, waits up to `timeout_ms` for a completion, and
  // dispatches what came. Throws std::system_error.
  void settle(int timeout_ms);

  // event::Waiter.
  bool wait(int epoll_fd, int timeout_ms) override;
  void dispatch() noexcept override;

 private:
  friend class BufferRing;
  io_uring_sqe* next_entry();
  io_uring_sqe* prepare(Completion& owner);

  std::unique_ptr<io_uring> ring_;
  int watched_epoll_ = -1;  // the epoll descriptor a multishot poll is armed on
};

// Buffers the kernel picks from for a multishot receive ("provided
// buffers"): `count` (a power of two) of `size` bytes, group `group` of
// `ring`. A completion names the buffer it filled (uring::buffer()); it
// is the caller's until give_back().
class BufferRing {
 public:
  // Throws std::system_error.
  BufferRing(Ring& ring, std::uint16_t group, unsigned count, std::size_t size);
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  std::uint16_t group() const noexcept { return group_; }
  std::span<char> bytes(std::uint16_t id, std::size_t length) noexcept {
    return {storage_.get() + static_cast<std::size_t>(id) * size_, length};
  }
  void give_back(std::uint16_t id) noexcept;

 private:
  Ring& ring_;
  const std::uint16_t group_;
  const unsigned count_;
  const std::size_t size_;
  io_uring_buf_ring* entries_ = nullptr;
  std::size_t entries_bytes_ = 0;
  std::unique_ptr<char[]> storage_;
};

// Why io_uring cannot be used in this process ("io_uring is disabled
// (kernel.io_uring_disabled, or a seccomp filter): Operation not
// permitted"), or empty: a ring is made and dropped to find out.
std::string unavailable();

}  // namespace netcook::uring
