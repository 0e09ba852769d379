#include "model/select/reactor.hpp"

#include "model/pump.hpp"
#include "model/thread_name.hpp"
#include "net/socket.hpp"

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/select.h>
#include <unistd.h>

namespace netcook::model::select_model {
namespace {

// select(2)'s timeout for a wait until `when`, rounded up so the loop never
// wakes just before a deadline and goes round again for nothing.
timeval until(Clock::time_point when, Clock::time_point now) noexcept {
  const auto wait = std::max(when - now, Clock::duration::zero());
  const auto micros = std::chrono::ceil<std::chrono::microseconds>(wait).count();
  return timeval{static_cast<time_t>(micros / 1'000'000),
                 static_cast<suseconds_t>(micros % 1'000'000)};
}

// select(2) could not allocate its tables: wait a little rather than spin.
void pause_briefly() noexcept {
  timeval pause{0, 100'000};
  ::select(0, nullptr, nullptr, nullptr, &pause);
}

// The turn's share of one connection's reading: one scratch buffer, so
// that no connection starves the others.
constexpr std::size_t kReadBudget = 64 * 1024;

}  // namespace

Reactor::Reactor(DriverSettings settings, net::Fd listening, proto::Protocol protocol)
    : state_(std::move(settings), listening, std::move(protocol), kFdCeiling),
      thread_name_(worker_thread_name(state_.settings.listener.name, 0)),
      hall_(state_.protocol, {state_.settings.metrics, state_.settings.log.get(), {}}),
      desk_(hall_, 0, nullptr, log()),
      listening_(listening) {
  if (!selectable(wake_.fd().get()))
    throw std::runtime_error(fmt::format(
        "no file descriptor below FD_SETSIZE ({}) is free for the select loop's wake-up "
        "eventfd (it got {}); select(2) cannot watch it",
        kFdCeiling, wake_.fd().get()));
  hall_.desks.push_back(&desk_);
  // The Service's wake: the pending flag, then the eventfd, so that a turn
  // waiting in select(2) returns; the next turn calls woken().
  if (hall_.service) hall_.wake->connect([this] { wake_up(); });
}

// The wake is disconnected first: a late one never touches the eventfd.
Reactor::~Reactor() {
  hall_.wake->disconnect();
  ServiceDesk::close(hall_, state_.end_reason);
  const auto now = Clock::now();
  while (!connections_.empty()) {
    connections_.front().end_now(state_.end_reason.load(), now);
    close(connections_.front());
  }
}

void Reactor::prepare() {
  if (!selectable(listening_.get())) {
    net::UniqueFd copy(::fcntl(listening_.get(), F_DUPFD_CLOEXEC, 0));
    if (!copy)
      throw std::system_error(
          errno, std::generic_category(),
          fmt::format("cannot duplicate listening socket {}", listening_.get()));
    if (!selectable(copy.get()))
      throw std::runtime_error(fmt::format(
          "the listening socket is file descriptor {} and none below FD_SETSIZE ({}) is free; "
          "select(2) cannot watch it (use another model, or fewer open files)",
          listening_.get(), kFdCeiling));
    low_copy_ = std::move(copy);
    listening_ = low_copy_.borrow();
  }
  // A turn must never block in accept(); sockets we bind are non-blocking
  // already, this covers any other.
  net::set_nonblocking(listening_, true);
  if (state_.settings.limits.max_connections > static_cast<std::size_t>(kFdCeiling))
    log().warn(
        "max_connections is {}, but the select model only serves connections whose file "
        "descriptor is below FD_SETSIZE ({}), shared with every other open file of the "
        "process; connections beyond that are refused",
        state_.settings.limits.max_connections, kFdCeiling);
}

void Reactor::stop_accepting(CloseReason why) noexcept {
  state_.end_reason = why;
  listening_ = net::Fd();
  low_copy_.reset();  // the caller may close the listening socket now
}

void Reactor::turn() {
  auto now = Clock::now();
  heartbeat_.beat(now);
  desk_.answer_wake();  // its deliveries are written this turn
  expire(now);
  std::optional<Clock::time_point> next;
  Interest ready = interest(now, next);
  // Turn at least once per heartbeat interval, even with nothing to do.
  const auto beat_at = now + event::Heartbeat::interval();
  timeval timeout = until(next ? std::min(*next, beat_at) : beat_at, now);
  const int count =
      ::select(ready.max_fd + 1, ready.read.get(), ready.write.get(), nullptr, &timeout);
  if (count < 0) {
    if (errno == EINTR) return;
    if (errno != ENOMEM) throw std::system_error(errno, std::generic_category(), "select");
    pause_briefly();
    return;
  }
  if (count == 0) return;  // a deadline: the next turn's expire() acts on it
  if (ready.read.has(wake_.fd().get())) {
    // The driver has a request; what else is ready stays ready.
    wake_.clear();
    return;
  }
  now = Clock::now();
  dispatch(ready, now);
  if (listening_ && ready.read.has(listening_.get())) accept(now);
}

Interest Reactor::interest(Clock::time_point now,
                           std::optional<Clock::time_point>& next) const noexcept {
  Interest interest;
  interest.want_read(wake_.fd().get());
  if (listening_) {
    if (now >= state_.gate.resume_at())
      interest.want_read(listening_.get());
    else
      next = state_.gate.resume_at();
  }
  for (const auto& connection : connections_) {
    const ConnectionCore& core = connection.core();
    if (core.closed()) next = now;  // cut off by a delivery: closed next turn
    const SocketWait wait = awaited(core, connection.transport());
    if (wait.readable) interest.want_read(connection.socket().get());
    if (wait.writable) interest.want_write(connection.socket().get());
    const auto deadline = core.deadline();
    if (!next || deadline < *next) next = deadline;
  }
  return interest;
}

// Only connections that were in the sets are tested: a descriptor number
// freed here and reused (by a file a session opens, or by accept() after
// this) never reads as ready for its new owner in this turn.
void Reactor::dispatch(const Interest& ready, Clock::time_point now) noexcept {
  for (auto it = connections_.begin(); it != connections_.end();) {
    Connection& connection = *it++;  // close() erases this one only
    const int fd = connection.socket().get();
    const bool readable = ready.read.has(fd);
    const bool writable = ready.write.has(fd);
    if (!readable && !writable) continue;
    connection.ready.readable = readable;
    if (writable) connection.ready.writable = true;
    serve(connection, now);
  }
}

void Reactor::serve(Connection& connection, Clock::time_point now) noexcept {
  if (pump(connection.core(), connection.transport(), connection.ready, scratch_, kReadBudget,
           now) == Pumped::closed)
    close(connection);
}

void Reactor::accept(Clock::time_point now) noexcept {
  state_.gate.accept_some(listening_, *this, now);
}

void Reactor::admit(Admission& admission) {
  auto& connection = connections_.emplace_back(
      desk_, admission, state_.setup(admission.socket.borrow(), next_id_++, thread_name_),
      Clock::now());
  connection.self = std::prev(connections_.end());
  connection.core().open(Clock::now());
  serve(connection, Clock::now());
}

// Closes what the last turn (or a Service call) ended, and expires what is
// due; a connection a timeout ends gets its last words out first.
void Reactor::expire(Clock::time_point now) noexcept {
  for (auto it = connections_.begin(); it != connections_.end();) {
    Connection& connection = *it++;  // close() erases this one only
    ConnectionCore& core = connection.core();
    if (!core.closed() && core.deadline() > now) continue;
    core.expire(now);
    connection.ready.readable = false;  // not this turn's news
    serve(connection, now);
  }
}

void Reactor::close(Connection& connection) noexcept {
  connections_.erase(connection.self);
}

}  // namespace netcook::model::select_model
