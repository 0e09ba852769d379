#include "model/thread/connection.hpp"

#include "log/fields.hpp"
#include "model/thread_name.hpp"
#include "net/socket.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/chrono.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace netcook::model::thread {
namespace {

using Clock = Deadlines::Clock;

// Read per recv(2); on the thread's stack, which is small (kConnectionStack).
constexpr std::size_t kReadBuffer = 16 * 1024;

}  // namespace

Connection::Connection(Shared& shared, net::UniqueFd fd, proto::ConnectionId id,
                       std::unique_ptr<Mailbox> mailbox)
    : shared_(shared),
      fd_(std::move(fd)),
      id_(id),
      name_(connection_thread_name(shared.settings.listener, id)),
      peer_(net::peer_address(fd_.get())),
      mailbox_(std::move(mailbox)),
      deadlines_(shared.settings.limits, Clock::now()) {}

// The thread is this connection's alone: every line it logs is the
// connection's (PEER=), until the thread ends.
void Connection::run() noexcept {
  set_thread_name(name_);
  const log::PeerScope peer_scope(peer_);
  try {
    serve();
  } catch (const std::exception& e) {
    shared_.settings.log->error("connection {} ended by an error: {}", name_, e.what());
  } catch (...) {
    shared_.settings.log->error("connection {} ended by an unknown error", name_);
  }
  finish();
}

void Connection::serve() {
  const int fd = fd_.get();
  net::set_nodelay(fd);
  const proto::SessionContext context{shared_.settings.listener, peer_,
                                      net::peer_host(fd), ::getpid(), name_, id_,
                                      mailbox_ ? this : nullptr,
                                      shared_.settings.log.get()};
  session_ = shared_.protocol.make_session(context);
  shared_.settings.log->debug("connection from {} served by {}", context.peer, name_);
  if (mailbox_) shared_.hub.join(id_, *mailbox_);
  session_->open(out_);
  std::array<char, kReadBuffer> buffer;
  while (turn(buffer)) {
  }
}

// One round: wait for the socket, the Mailbox or the driver closing, then
// move what can be moved. Returns false when the connection is over.
bool Connection::turn(std::span<char> buffer) {
  if (out_.empty() && (peer_eof_ || session_->closing())) return false;
  const bool reading = may_read();
  std::array<pollfd, 3> fds{{
      {fd_.get(), static_cast<short>((reading ? POLLIN : 0) | (out_.empty() ? 0 : POLLOUT)), 0},
      {shared_.closing.fd(), POLLIN, 0},
      {mailbox_ ? mailbox_->fd() : -1, POLLIN, 0},  // poll skips -1
  }};
  if (::poll(fds.data(), fds.size(), deadlines_.poll_timeout(Clock::now())) < 0 && errno != EINTR)
    throw std::system_error(errno, std::generic_category(), "poll");
  const auto now = Clock::now();
  if (fds[1].revents != 0) return false;  // the driver is being destroyed
  if (fds[2].revents != 0 && !mailbox_->take(out_)) {
    shared_.settings.log->debug("{} cut off: it does not read its output", name_);
    return false;
  }
  const short ready = fds[0].revents;
  if ((ready & (POLLOUT | POLLERR | POLLHUP)) && !out_.empty() && !write_some(now)) return false;
  if ((ready & (POLLIN | POLLERR | POLLHUP)) && reading) {
    if (!read_some(buffer, now)) return false;
    // The answer usually fits in the socket buffer: send it without a poll.
    if (!out_.empty() && !write_some(now)) return false;
  }
  deadlines_.partial(session_->partial(), now);
  if (mailbox_) mailbox_->report(out_.size());
  return !expired(now);
}

// Backpressure: while the peer does not read what we owe it, we do not read
// what it sends.
bool Connection::may_read() const noexcept {
  return !peer_eof_ && !session_->closing() && out_.size() < shared_.settings.limits.max_outbox;
}

// Writes until the Outbox is empty, the socket is full or the Outbox's
// share of one call went out (the next poll(2) returns at once then, and
// sees the driver closing); false on error.
bool Connection::write_some(Clock::time_point now) {
  const proto::SendResult result = out_.send_to(fd_.get());
  if (result.sent > 0) deadlines_.active(now);
  if (result.status != proto::SendResult::Status::error) return true;
  shared_.settings.log->debug("{}: write failed: {}", name_, std::strerror(result.error));
  return false;
}

// One recv(2) into `buffer`, handed to the session; false on error.
bool Connection::read_some(std::span<char> buffer, Clock::time_point now) {
  const ssize_t got = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
  if (got > 0) {
    deadlines_.active(now);
    session_->receive({buffer.data(), static_cast<std::size_t>(got)}, out_);
    return true;
  }
  if (got == 0) {
    peer_eof_ = true;
    session_->peer_closed(out_);
    return true;
  }
  if (errno == EAGAIN || errno == EINTR) return true;
  shared_.settings.log->debug("{}: read failed: {}", name_, std::strerror(errno));
  return false;
}

// True when a timeout ends the connection. On the read timeout the session
// may answer a last time (HTTP's 408); that goes out as far as the socket
// takes it at once. A session's exception ends the connection in run().
bool Connection::expired(Clock::time_point now) {
  const auto& limits = shared_.settings.limits;
  switch (deadlines_.expired(now)) {
    case Deadlines::Expired::no:
      return false;
    case Deadlines::Expired::idle:
      shared_.settings.log->debug("closing {}: idle for {}", name_, limits.idle_timeout);
      return true;
    case Deadlines::Expired::read:
      shared_.settings.log->debug("closing {}: its request did not complete in {}", name_,
                                  limits.read_timeout);
      session_->read_timed_out(out_);
      out_.send_to(fd_.get());  // what fits now, without waiting
      return true;
  }
  return true;
}

// The socket closes first, so the peer sees the end at once; the Service
// hears about it after the session is gone (no message from it follows).
void Connection::finish() noexcept {
  fd_.reset();
  session_.reset();
  try {
    shared_.hub.leave(id_);
  } catch (const std::exception& e) {
    shared_.settings.log->error("the service failed on closed connection {}: {}", name_, e.what());
  }
  try {
    shared_.count.release();
  } catch (const std::exception& e) {
    shared_.settings.log->error("reporting the listener drained failed: {}", e.what());
  }
}

void Connection::send(std::string_view message) { shared_.hub.message(id_, message); }

}  // namespace netcook::model::thread
