#include "uring/ring.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <liburing.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/utsname.h>

namespace netcook::uring {
namespace {

// User data of the ring's own operations; an owner's is its Completion's
// address, never either.
constexpr std::uint64_t kEpollPoll = 0;  // the poll on the loop's epoll descriptor
constexpr std::uint64_t kIgnored = 1;    // a cancel's own completion

}  // namespace

bool more(std::uint32_t flags) noexcept { return (flags & IORING_CQE_F_MORE) != 0; }

std::optional<std::uint16_t> buffer(std::uint32_t flags) noexcept {
  if (!(flags & IORING_CQE_F_BUFFER)) return std::nullopt;
  return static_cast<std::uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
}

Ring::Ring(unsigned entries) : ring_(std::make_unique<io_uring>()) {
  // The kernel may run completion work when the thread enters, rather than
  // interrupting it. (Not SINGLE_ISSUER: the ring is made, and its
  // connections ended, on the thread that owns the worker, while the
  // worker's thread submits in between.)
  io_uring_params params{};
  params.flags = IORING_SETUP_COOP_TASKRUN;
  int error = io_uring_queue_init_params(entries, ring_.get(), &params);
  if (error == -EINVAL) {  // an older kernel without those flags
    params = io_uring_params{};
    error = io_uring_queue_init_params(entries, ring_.get(), &params);
  }
  if (error < 0) throw std::system_error(-error, std::generic_category(), "io_uring_setup");
}

Ring::~Ring() { io_uring_queue_exit(ring_.get()); }

// Never null: a full queue is submitted first (the kernel copies the
// entries at submission, so they are free again at once).
io_uring_sqe* Ring::next_entry() {
  io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
  while (sqe == nullptr) {
    const int submitted = io_uring_submit(ring_.get());
    if (submitted < 0 && submitted != -EINTR && submitted != -EBUSY)
      throw std::system_error(-submitted, std::generic_category(), "io_uring_enter");
    sqe = io_uring_get_sqe(ring_.get());
  }
  return sqe;
}

io_uring_sqe* Ring::prepare(Completion& owner) {
  io_uring_sqe* sqe = next_entry();
  io_uring_sqe_set_data(sqe, &owner);
  return sqe;
}

void Ring::accept(Completion& owner, int listening) {
  io_uring_sqe* sqe = prepare(owner);
  io_uring_prep_accept(sqe, listening, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  io_uring_sqe_set_data(sqe, &owner);
}

void Ring::receive_multishot(Completion& owner, int socket, std::uint16_t group) {
  io_uring_sqe* sqe = prepare(owner);
  io_uring_prep_recv_multishot(sqe, socket, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = group;
  io_uring_sqe_set_data(sqe, &owner);
}

void Ring::receive(Completion& owner, int socket, std::span<char> into) {
  io_uring_sqe* sqe = prepare(owner);
  io_uring_prep_recv(sqe, socket, into.data(), into.size(), 0);
  io_uring_sqe_set_data(sqe, &owner);
}

void Ring::send(Completion& owner, int socket, std::span<const char> bytes) {
  io_uring_sqe* sqe = prepare(owner);
  io_uring_prep_send(sqe, socket, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  io_uring_sqe_set_data(sqe, &owner);
}

void Ring::poll_multishot(Completion& owner, int socket, std::uint32_t events) {
  io_uring_sqe* sqe = prepare(owner);
  io_uring_prep_poll_multishot(sqe, socket, events);
  io_uring_sqe_set_data(sqe, &owner);
}

void Ring::cancel(Completion& owner) {
  io_uring_sqe* sqe = next_entry();
  io_uring_prep_cancel(sqe, &owner, IORING_ASYNC_CANCEL_ALL);
  io_uring_sqe_set_data64(sqe, kIgnored);
}

void Ring::cancel_now(Completion& owner) {
  io_uring_sync_cancel_reg request{};
  request.addr = reinterpret_cast<std::uint64_t>(&owner);
  request.flags = IORING_ASYNC_CANCEL_ALL;
  request.timeout.tv_sec = -1;
  request.timeout.tv_nsec = -1;
  int error = 0;
  do {
    error = io_uring_register_sync_cancel(ring_.get(), &request);
  } while (error == -EINTR);
  if (error < 0 && error != -ENOENT && error != -EALREADY)
    throw std::system_error(-error, std::generic_category(), "io_uring cancel");
}

void Ring::settle(int timeout_ms) {
  io_uring* ring = ring_.get();
  __kernel_timespec timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1'000'000LL};
  io_uring_cqe* first = nullptr;
  const int result = io_uring_submit_and_wait_timeout(ring, &first, 1, &timeout, nullptr);
  if (result < 0 && result != -ETIME && result != -EINTR && result != -EBUSY)
    throw std::system_error(-result, std::generic_category(), "io_uring_enter");
  dispatch();
}

void Ring::submit() {
  const int submitted = io_uring_submit(ring_.get());
  if (submitted < 0 && submitted != -EINTR && submitted != -EBUSY)
    throw std::system_error(-submitted, std::generic_category(), "io_uring_enter");
}

bool Ring::wait(int epoll_fd, int timeout_ms) {
  if (watched_epoll_ != epoll_fd) {
    io_uring_sqe* sqe = next_entry();
    io_uring_prep_poll_multishot(sqe, epoll_fd, POLLIN);
    io_uring_sqe_set_data64(sqe, kEpollPoll);
    watched_epoll_ = epoll_fd;
  }
  io_uring* ring = ring_.get();
  int result = 0;
  if (timeout_ms == 0) {
    result = io_uring_submit(ring);
  } else if (timeout_ms < 0) {
    result = io_uring_submit_and_wait(ring, 1);
  } else {
    __kernel_timespec timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1'000'000LL};
    io_uring_cqe* first = nullptr;
    result = io_uring_submit_and_wait_timeout(ring, &first, 1, &timeout, nullptr);
  }
  if (result < 0 && result != -ETIME && result != -EINTR && result != -EBUSY)
    throw std::system_error(-result, std::generic_category(), "io_uring_enter");
  // Whether the epoll descriptor spoke; a poll that ended (no
  // IORING_CQE_F_MORE) is armed again on the next wait.
  bool epoll_ready = false;
  io_uring_cqe* cqe = nullptr;
  unsigned head = 0;
  io_uring_for_each_cqe(ring, head, cqe) {
    if (io_uring_cqe_get_data64(cqe) != kEpollPoll) continue;
    epoll_ready = true;
    if (!(cqe->flags & IORING_CQE_F_MORE)) watched_epoll_ = -1;
  }
  return epoll_ready;
}

// A completion may ask for more operations (they go with the next wait),
// and may see its owner end: each entry is read before its owner runs.
void Ring::dispatch() noexcept {
  io_uring* ring = ring_.get();
  io_uring_cqe* cqe = nullptr;
  unsigned head = 0;
  unsigned seen = 0;
  io_uring_for_each_cqe(ring, head, cqe) {
    ++seen;
    const std::uint64_t data = io_uring_cqe_get_data64(cqe);
    if (data == kEpollPoll) {
      if (!(cqe->flags & IORING_CQE_F_MORE)) watched_epoll_ = -1;
      continue;
    }
    if (data == kIgnored) continue;
    static_cast<Completion*>(io_uring_cqe_get_data(cqe))->completed(cqe->res, cqe->flags);
  }
  io_uring_cq_advance(ring, seen);
}

BufferRing::BufferRing(Ring& ring, std::uint16_t group, unsigned count, std::size_t size)
    : ring_(ring), group_(group), count_(count), size_(size) {
  if (count == 0 || (count & (count - 1)) != 0 || count > 32768)
    throw std::system_error(EINVAL, std::generic_category(), "buffer ring: count");
  // The ring of buffer entries is shared with the kernel: page-aligned.
  entries_bytes_ = count * sizeof(io_uring_buf);
  void* mapped = ::mmap(nullptr, entries_bytes_, PROT_READ | PROT_WRITE,
                        MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (mapped == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
  entries_ = static_cast<io_uring_buf_ring*>(mapped);
  io_uring_buf_ring_init(entries_);
  io_uring_buf_reg registration{};
  registration.ring_addr = reinterpret_cast<std::uintptr_t>(entries_);
  registration.ring_entries = count;
  registration.bgid = group;
  if (const int error = io_uring_register_buf_ring(ring_.ring_.get(), &registration, 0);
      error < 0) {
    ::munmap(entries_, entries_bytes_);
    throw std::system_error(-error, std::generic_category(), "io_uring_register_buf_ring");
  }
  storage_ = std::make_unique_for_overwrite<char[]>(count * size);
  for (unsigned id = 0; id < count; ++id)
    io_uring_buf_ring_add(entries_, storage_.get() + id * size_, static_cast<unsigned>(size_),
                          static_cast<unsigned short>(id), io_uring_buf_ring_mask(count_),
                          static_cast<int>(id));
  io_uring_buf_ring_advance(entries_, static_cast<int>(count));
}

BufferRing::~BufferRing() {
  io_uring_unregister_buf_ring(ring_.ring_.get(), group_);
  ::munmap(entries_, entries_bytes_);
}

void BufferRing::give_back(std::uint16_t id) noexcept {
  io_uring_buf_ring_add(entries_, storage_.get() + static_cast<std::size_t>(id) * size_,
                        static_cast<unsigned>(size_), id, io_uring_buf_ring_mask(count_), 0);
  io_uring_buf_ring_advance(entries_, 1);
}

// What the model uses came with Linux 6.0: multishot receive, cancelling
// every operation of an owner at once, synchronous cancel.
std::string unavailable() {
  utsname system{};
  int major = 0;
  int minor = 0;
  if (::uname(&system) == 0 && std::sscanf(system.release, "%d.%d", &major, &minor) == 2 &&
      major < 6)
    return std::string("io_uring as netcookd uses it needs Linux 6.0 or later; this is ") +
           system.release;
  io_uring ring{};
  const int error = io_uring_queue_init(2, &ring, 0);
  if (error == 0) {
    io_uring_queue_exit(&ring);
    return {};
  }
  switch (-error) {
    case ENOSYS:
      return "this kernel has no io_uring (io_uring_setup: Function not implemented)";
    case EPERM:
      return "io_uring is disabled here (kernel.io_uring_disabled, or a seccomp filter): "
             "io_uring_setup: Operation not permitted";
    default:
      return std::string("io_uring_setup: ") + std::strerror(-error);
  }
}

}  // namespace netcook::uring
