#include "model/select/connection.hpp"

#include "model/select/reactor.hpp"
#include "model/session_failure.hpp"
#include "net/socket.hpp"

#include <algorithm>
#include <cerrno>

#include <sys/socket.h>

namespace netcook::model::select_model {

Connection::Connection(Reactor& reactor, net::UniqueFd fd, proto::ConnectionId id,
                       Clock::time_point now)
    : reactor_(reactor),
      fd_(std::move(fd)),
      id_(id),
      peer_(net::peer_address(fd_.get())),
      last_active_(now) {}

Connection::~Connection() = default;

void Connection::send(std::string_view message) { reactor_.to_service(id_, message); }

bool Connection::deliver(std::string_view bytes, std::size_t max_outbox) noexcept {
  if (failed_) return false;
  if (out_.size() + bytes.size() > max_outbox) {
    failed_ = true;  // cut off: it does not read fast enough
    return false;
  }
  try {
    out_.append(bytes);
  } catch (...) {
    failed_ = true;
    return false;
  }
  return true;
}

void Connection::open(Clock::time_point now) noexcept {
  try {
    session_->open(out_);
  } catch (...) {
    session_failed();
    return;
  }
  track_partial(now);
  if (wants_write()) write_once(now);
}

void Connection::advance(bool readable, std::span<char> scratch, std::size_t max_outbox,
                         Clock::time_point now) noexcept {
  if (readable && wants_read(max_outbox)) read_once(scratch, now);
  // Writing straight after reading saves a select(2) round for the reply.
  if (wants_write()) write_once(now);
}

bool Connection::wants_read(std::size_t max_outbox) const noexcept {
  return !failed_ && !peer_eof_ && !session_->closing() && out_.size() < max_outbox;
}

bool Connection::finished() const noexcept {
  return failed_ || (out_.empty() && (peer_eof_ || session_->closing()));
}

Clock::time_point Connection::deadline(const config::Limits& limits) const noexcept {
  const auto idle = last_active_ + limits.idle_timeout;
  return partial_since_ ? std::min(idle, *partial_since_ + limits.read_timeout) : idle;
}

bool Connection::read_timed_out(const config::Limits& limits,
                                Clock::time_point now) const noexcept {
  return partial_since_ && *partial_since_ + limits.read_timeout <= now;
}

void Connection::read_once(std::span<char> scratch, Clock::time_point now) noexcept {
  const ssize_t got = ::recv(fd_.get(), scratch.data(), scratch.size(), 0);
  if (got < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) failed_ = true;
    return;
  }
  try {
    if (got == 0) {
      peer_eof_ = true;
      session_->peer_closed(out_);
    } else {
      last_active_ = now;
      session_->receive({scratch.data(), static_cast<std::size_t>(got)}, out_);
    }
  } catch (...) {
    session_failed();  // only this connection ends
    return;
  }
  track_partial(now);
}

void Connection::write_once(Clock::time_point now) noexcept {
  const proto::SendResult result = out_.send_to(fd_.get());
  if (result.sent > 0) last_active_ = now;
  if (result.status == proto::SendResult::Status::error) failed_ = true;
}

void Connection::on_read_timeout() noexcept {
  try {
    session_->read_timed_out(out_);
  } catch (...) {
    session_failed();  // only this connection ends, as it would anyway
    return;
  }
  out_.send_to(fd_.get());
}

// The read timeout runs from the moment a line or request starts until the
// session has all of it.
void Connection::track_partial(Clock::time_point now) noexcept {
  if (!session_->partial())
    partial_since_.reset();
  else if (!partial_since_)
    partial_since_ = now;
}

// A session threw (called from a catch block): only this connection ends,
// and the log says why.
void Connection::session_failed() noexcept {
  failed_ = true;
  log_session_failure(reactor_.log(), id_, peer_);
}

}  // namespace netcook::model::select_model
