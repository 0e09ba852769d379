#include "model/poll_loop.hpp"

#include "event/readiness.hpp"
#include "metrics/cpu.hpp"
#include "model/pump.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <optional>

#include <pthread.h>
#include <sys/socket.h>

namespace netcook::model {
namespace {

using std::chrono::milliseconds;

constexpr std::size_t kMaxSides = 4;

// The socket the calling thread's loop waits in recv(2) on, or is about
// to, else -1; and whether stop_waiting_read() was called since the side
// channels last looked. Written by the loop and by a signal handler that
// runs on the same thread.
thread_local volatile sig_atomic_t t_waiting_socket = -1;
thread_local volatile sig_atomic_t t_stop_came = 0;

// The wait until `deadline` for ppoll(2), rounded up to a millisecond so
// the loop never wakes just before it and goes round again for nothing;
// null for no deadline.
const timespec* until(Clock::time_point deadline, Clock::time_point now,
                      timespec& storage) noexcept {
  if (deadline == Clock::time_point::max()) return nullptr;
  const auto left = std::max<std::chrono::milliseconds::rep>(
      std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count(), 0);
  storage = {static_cast<time_t>(left / 1000), static_cast<long>(left % 1000) * 1'000'000};
  return &storage;
}

// How long this round may wait in the socket's recv(2) rather than in
// ppoll(2), if it may (see poll_loop.hpp): its wait is the peer's next
// bytes or the core's deadline, and nothing else.
std::optional<milliseconds> read_wait(const ConnectionCore& core, const Transport& transport,
                                      SocketWait wait, std::span<const pollfd> sides,
                                      Clock::time_point now) noexcept {
  if (!wait.readable || wait.writable || !transport.can_wait_in_read() || core.awaiting_header() ||
      core.awaiting_handshake())
    return std::nullopt;
  for (const pollfd& side : sides)
    if (side.fd >= 0) return std::nullopt;
  const Clock::time_point deadline = core.deadline();
  if (deadline == Clock::time_point::max()) return milliseconds::max();
  const auto left = std::chrono::floor<milliseconds>(deadline - now);
  if (left < milliseconds(1)) return std::nullopt;  // poll(2) is as precise
  return left;
}

// The thread's signal mask while rounds wait in recv(2): the loop's
// wait_mask, so that its signals reach the wait; restored before a round
// waits in ppoll(2) (which lets them in itself) and when the loop ends.
// Changed only when the way of waiting changes, not every round.
class SignalsLetIn {
 public:
  explicit SignalsLetIn(const sigset_t* wait_mask) noexcept : wait_mask_(wait_mask) {}
  SignalsLetIn(const SignalsLetIn&) = delete;
  SignalsLetIn& operator=(const SignalsLetIn&) = delete;
  ~SignalsLetIn() { restore(); }

  void let_in() noexcept {
    if (in_ || wait_mask_ == nullptr) return;
    in_ = ::pthread_sigmask(SIG_SETMASK, wait_mask_, &saved_) == 0;
  }
  void restore() noexcept {
    if (!in_) return;
    ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
    in_ = false;
  }

 private:
  const sigset_t* const wait_mask_;
  sigset_t saved_{};
  bool in_ = false;
};

// The round's wait in recv(2); would_block when a stop came just before
// it (stop_waiting_read() shuts the socket's reading down from the moment
// the socket is named, so that one coming later ends the recv).
ReadResult wait_in_read(Transport& transport, std::span<char> buffer, milliseconds most) noexcept {
  t_waiting_socket = transport.fd().get();
  std::atomic_signal_fence(std::memory_order_seq_cst);
  ReadResult got{ReadResult::Status::would_block};
  if (t_stop_came == 0) got = transport.read_waiting(buffer, most);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  t_waiting_socket = -1;
  return got;
}

}  // namespace

void stop_waiting_read() noexcept {
  t_stop_came = 1;
  if (const int socket = t_waiting_socket; socket >= 0) ::shutdown(socket, SHUT_RD);
}

void run_poll_loop(ConnectionCore& core, Transport& transport, std::span<SideChannel* const> sides,
                   std::span<char> scratch, std::size_t read_budget,
                   const sigset_t* wait_mask) noexcept {
  const std::size_t count = std::min(sides.size(), kMaxSides);
  event::Readiness ready;
  SignalsLetIn signals(wait_mask);
  // The thread (or process) is the connection's alone: all its CPU is the
  // listener's, counted from its start.
  metrics::CpuMeter cpu(core.counters().cpu_nsec, metrics::CpuMeter::since_thread_start);
  auto now = Clock::now();
  core.open(now);
  while (!core.closed()) {
    cpu.tick(now);
    const Pumped pumped = pump(core, transport, ready, scratch, read_budget, now);
    if (pumped == Pumped::closed) return;
    std::array<pollfd, 1 + kMaxSides> fds{};
    t_stop_came = 0;  // the side channels look at what the handlers recorded
    auto wake_at = core.deadline();
    for (std::size_t i = 0; i < count; ++i) {
      fds[1 + i] = sides[i]->watch(core, now);
      wake_at = std::min(wake_at, sides[i]->deadline());
    }
    if (core.closed()) return;  // a side channel ended it
    // Nothing wanted of the socket (its reading held, say): leave it out,
    // or a hangup would be reported again at once, round after round.
    const SocketWait wait = awaited(core, transport);
    const std::span<const pollfd> side_fds(fds.data() + 1, count);
    // A side channel that names a time of its own is waited for by ppoll.
    const bool in_read = pumped == Pumped::idle && wake_at == core.deadline();
    if (const auto most = in_read ? read_wait(core, transport, wait, side_fds, now)
                                  : std::nullopt) {
      signals.let_in();
      const ReadResult got = wait_in_read(transport, scratch, *most);
      now = Clock::now();
      // The bytes it got were sent before any stop; an end of file or a
      // wait cut short may be the stop's own doing, so the side channels
      // hear of a stop first.
      if (got.status == ReadResult::Status::data)
        take_read(core, transport, ready, got, scratch, now);
      if (t_stop_came != 0) {
        t_stop_came = 0;
        for (std::size_t i = 0; i < count; ++i) sides[i]->watch(core, now);
      } else if (got.status != ReadResult::Status::data) {
        take_read(core, transport, ready, got, scratch, now);
      }
    } else {
      signals.restore();
      const short wanted =
          static_cast<short>((wait.readable ? POLLIN : 0) | (wait.writable ? POLLOUT : 0));
      fds[0] = {wanted != 0 ? transport.fd().get() : -1, wanted, 0};
      timespec storage{};
      // A signal let in before the restore was recorded, not waited for.
      const bool go_on = pumped == Pumped::more || t_stop_came != 0;
      const timespec* timeout = until(go_on ? now : wake_at, now, storage);
      const int result = ::ppoll(fds.data(), 1 + count, timeout, wait_mask);
      now = Clock::now();
      if (result < 0 && errno != EINTR) {
        core.failed(errno);  // out of memory for poll's tables
        return;
      }
      if (result > 0) {
        if (fds[0].revents != 0) ready.note_poll(fds[0].revents);
        for (std::size_t i = 0; i < count; ++i)
          if (fds[1 + i].revents != 0) sides[i]->ready(fds[1 + i].revents, core, now);
      }
    }
    if (now >= core.deadline()) {
      // An end decided by a side channel (the driver or the master ending
      // it) has no drain: its last words get what the socket takes now.
      flush_now(core, transport, now);
      core.expire(now);
    }
  }
}

}  // namespace netcook::model
