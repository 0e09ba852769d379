#include "model/select/reactor.hpp"

#include "log/fields.hpp"
#include "model/thread_name.hpp"
#include "net/socket.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <fmt/chrono.h>
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

}  // namespace

Reactor::Reactor(DriverSettings settings, int listen_fd, proto::Protocol protocol)
    : settings_(std::move(settings)),
      protocol_(std::move(protocol)),
      thread_name_(worker_thread_name(settings_.listener, 0)),
      // No more than select(2) could ever watch, whatever max_connections says.
      count_(std::min<std::size_t>(settings_.limits.max_connections, kFdCeiling),
             settings_.on_drained),
      acceptor_(listen_fd, settings_, count_, protocol_.refusal,
                [this](net::UniqueFd fd, Clock::time_point now) { admit(std::move(fd), now); }) {
  if (protocol_.make_service) service_ = protocol_.make_service();
}

Reactor::~Reactor() {
  service_.reset();
  while (!connections_.empty()) close(connections_.front());
}

void Reactor::prepare() {
  acceptor_.prepare();
  if (settings_.limits.max_connections > static_cast<std::size_t>(kFdCeiling))
    settings_.log->warn(
        "max_connections is {}, but the select model only serves connections whose file "
        "descriptor is below FD_SETSIZE ({}), shared with every other open file of the "
        "process; connections beyond that are refused",
        settings_.limits.max_connections, kFdCeiling);
}

void Reactor::turn() {
  auto now = Clock::now();
  heartbeat_.beat(now);
  expire(now);
  reap_cut_offs();
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
  if (ready.read.has(wake_.fd())) {
    // The driver has a request; what else is ready stays ready.
    wake_.drain();
    return;
  }
  now = Clock::now();
  dispatch(ready, now);
  if (ready.read.has(acceptor_.fd())) acceptor_.accept_some(now);
  reap_cut_offs();
}

Interest Reactor::interest(Clock::time_point now,
                           std::optional<Clock::time_point>& next) const noexcept {
  Interest interest;
  interest.want_read(wake_.fd());
  if (acceptor_.watching(now)) interest.want_read(acceptor_.fd());
  next = acceptor_.resumes_at(now);
  const auto max_outbox = settings_.limits.max_outbox;
  for (const auto& connection : connections_) {
    if (connection.wants_read(max_outbox)) interest.want_read(connection.fd());
    if (connection.wants_write()) interest.want_write(connection.fd());
    const auto deadline = connection.deadline(settings_.limits);
    if (!next || deadline < *next) next = deadline;
  }
  return interest;
}

// Only connections that were in the sets are tested: a descriptor number
// freed here and reused (by a file a session opens, or by accept_some()
// after this) never reads as ready for its new owner in this turn.
void Reactor::dispatch(const Interest& ready, Clock::time_point now) noexcept {
  for (auto it = connections_.begin(); it != connections_.end();) {
    Connection& connection = *it++;  // close() erases this one only
    const bool readable = ready.read.has(connection.fd());
    if (!readable && !ready.write.has(connection.fd())) continue;
    connection.advance(readable, scratch_, settings_.limits.max_outbox, now);
    if (connection.finished()) close(connection);
  }
}

void Reactor::admit(net::UniqueFd fd, Clock::time_point now) noexcept {
  const int raw = fd.get();
  const proto::ConnectionId id = next_id_++;
  try {
    net::set_nodelay(raw);
    auto& connection = connections_.emplace_back(*this, std::move(fd), id, now);
    connection.self = std::prev(connections_.end());
    proto::SessionContext context{settings_.listener,
                                  connection.peer(),
                                  net::peer_host(raw),
                                  ::getpid(),
                                  thread_name_,
                                  id,
                                  service_ ? &connection : nullptr,
                                  settings_.log.get()};
    connection.attach(protocol_.make_session(context));
    if (service_) by_id_.emplace(id, &connection);
    const log::PeerScope peer(connection.peer());
    settings_.log->debug("connection from {}", connection.peer());
  } catch (const std::exception& e) {
    settings_.log->error("cannot serve a new connection: {}", e.what());
    by_id_.erase(id);
    if (!connections_.empty() && connections_.back().id() == id) connections_.pop_back();
    count_.release();
    return;
  }
  Connection& connection = connections_.back();
  connection.open(now);
  if (connection.finished()) close(connection);
}

void Reactor::to_service(proto::ConnectionId from, std::string_view message) {
  if (service_) service_->message(from, message, *this);
}

// Courier: called from inside the Service, so it never closes anything.
void Reactor::deliver(proto::ConnectionId to, std::string_view bytes) {
  const auto it = by_id_.find(to);
  if (it == by_id_.end() || it->second->failed()) return;
  if (!it->second->deliver(bytes, settings_.limits.max_outbox)) cut_off_.push_back(to);
}

void Reactor::reap_cut_offs() noexcept {
  while (!cut_off_.empty()) {
    const proto::ConnectionId id = cut_off_.back();
    cut_off_.pop_back();
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) continue;
    {
      const log::PeerScope peer(it->second->peer());  // ends before the connection does
      settings_.log->debug("cutting off a connection that does not read (outbox over {} bytes)",
                           settings_.limits.max_outbox);
    }
    close(*it->second);  // may cut off more: the loop takes them too
  }
}

void Reactor::expire(Clock::time_point now) noexcept {
  const auto& limits = settings_.limits;
  for (auto it = connections_.begin(); it != connections_.end();) {
    Connection& connection = *it++;  // close() erases this one only
    if (connection.deadline(limits) > now) continue;
    if (connection.read_timed_out(limits, now)) {
      const log::PeerScope peer(connection.peer());  // ends before the connection does
      settings_.log->debug("closing a connection whose request did not complete in {}",
                           limits.read_timeout);
      connection.on_read_timeout();
    } else {
      const log::PeerScope peer(connection.peer());
      settings_.log->debug("closing a connection idle for {}", limits.idle_timeout);
    }
    close(connection);
  }
}

void Reactor::close(Connection& connection) noexcept {
  const proto::ConnectionId id = connection.id();
  by_id_.erase(id);
  connections_.erase(connection.self);  // closes the socket
  if (service_) {
    try {
      service_->gone(id, *this);
    } catch (const std::exception& e) {
      settings_.log->error("service failed on a closed connection: {}", e.what());
    }
  }
  count_.release();
}

}  // namespace netcook::model::select_model
