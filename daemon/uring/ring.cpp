#include "uring/ring.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>

#include <poll.h>

namespace netcook::uring {
namespace {

// The user data of the poll on the loop's epoll descriptor; an operation's
// is its Completion's address, never 0.
constexpr std::uint64_t kEpollPoll = 0;

}  // namespace

Ring::Ring(unsigned entries) {
  // One thread submits and reaps: the kernel may run completion work when
  // that thread enters, not by interrupting it.
  io_uring_params params{};
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN;
  int error = io_uring_queue_init_params(entries, &ring_, &params);
  if (error == -EINVAL) {  // an older kernel without those flags
    params = io_uring_params{};
    error = io_uring_queue_init_params(entries, &ring_, &params);
  }
  if (error < 0) throw std::system_error(-error, std::generic_category(), "io_uring_setup");
}

Ring::~Ring() { io_uring_queue_exit(&ring_); }

io_uring_sqe* Ring::prepare(Completion& owner) {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) throw std::system_error(EBUSY, std::generic_category(), "io_uring_get_sqe");
  }
  io_uring_sqe_set_data(sqe, &owner);
  return sqe;
}

bool Ring::wait(int epoll_fd, int timeout_ms) {
  if (watched_epoll_ != epoll_fd) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) {
      io_uring_submit(&ring_);
      sqe = io_uring_get_sqe(&ring_);
    }
    if (sqe != nullptr) {
      io_uring_prep_poll_multishot(sqe, epoll_fd, POLLIN);
      io_uring_sqe_set_data64(sqe, kEpollPoll);
      watched_epoll_ = epoll_fd;
    }
  }
  int result = 0;
  if (timeout_ms == 0) {
    result = io_uring_submit(&ring_);
  } else if (timeout_ms < 0) {
    result = io_uring_submit_and_wait(&ring_, 1);
  } else {
    __kernel_timespec timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1'000'000LL};
    io_uring_cqe* first = nullptr;
    result = io_uring_submit_and_wait_timeout(&ring_, &first, 1, &timeout, nullptr);
  }
  if (result < 0 && result != -ETIME && result != -EINTR && result != -EBUSY)
    throw std::system_error(-result, std::generic_category(), "io_uring_enter");
  // Whether the epoll descriptor spoke; a poll that ended (no
  // IORING_CQE_F_MORE) is armed again on the next wait.
  bool epoll_ready = false;
  io_uring_cqe* cqe = nullptr;
  unsigned head = 0;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    if (io_uring_cqe_get_data64(cqe) != kEpollPoll) continue;
    epoll_ready = true;
    if (!(cqe->flags & IORING_CQE_F_MORE)) watched_epoll_ = -1;
  }
  return epoll_ready;
}

void Ring::dispatch() noexcept {
  io_uring_cqe* cqe = nullptr;
  unsigned head = 0;
  unsigned seen = 0;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    ++seen;
    if (io_uring_cqe_get_data64(cqe) == kEpollPoll) continue;
    static_cast<Completion*>(io_uring_cqe_get_data(cqe))->completed(cqe->res, cqe->flags);
  }
  io_uring_cq_advance(&ring_, seen);
}

std::string unavailable() {
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
