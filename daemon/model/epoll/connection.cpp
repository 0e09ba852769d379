#include "model/epoll/connection.hpp"

#include "model/epoll/worker.hpp"
#include "model/session_failure.hpp"
#include "net/socket.hpp"

#include <algorithm>
#include <cerrno>

#include <sys/epoll.h>
#include <sys/socket.h>

namespace netcook::model::epoll {

Connection::Connection(Worker& worker, net::UniqueFd fd, proto::ConnectionId id)
    : worker_(worker), fd_(std::move(fd)), id_(id), peer_(net::peer_address(fd_.get())) {}

void Connection::send(std::string_view message) { worker_.to_service(id_, message); }

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

Connection::~Connection() = default;

void Connection::on_ready(std::uint32_t events) noexcept {
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) readable_ = true;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) writable_ = true;
  if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) hung_up_ = true;
  worker_.service(*this);
}

void Connection::open() noexcept {
  try {
    session_->open(out_);
  } catch (...) {
    session_failed();
  }
}

bool Connection::advance(std::span<char> scratch, std::size_t read_budget,
                         std::size_t max_outbox) noexcept {
  wants_more_ = false;
  while (!failed_) {
    if (!out_.empty() && writable_) {
      const Io wrote = write_some();
      if (wrote == Io::failed) return false;
      if (wrote == Io::paused) {  // the socket takes more: on a later turn
        wants_more_ = true;
        break;
      }
    }
    if (out_.empty() && (peer_eof_ || session_->closing())) return false;

    const bool may_read = readable_ && !peer_eof_ && !session_->closing() &&
                          out_.size() < max_outbox;
    if (!may_read) break;
    if (read_budget == 0) {
      wants_more_ = true;
      break;
    }
    if (read_some(scratch, read_budget) == Io::failed) return false;
  }
  return !failed_;
}

Connection::Io Connection::write_some() noexcept {
  const proto::SendResult result = out_.send_to(fd_.get());
  if (result.sent > 0) last_active = worker_.now();
  switch (result.status) {
    case proto::SendResult::Status::done:
      return Io::progress;
    case proto::SendResult::Status::paused:
      return Io::paused;
    case proto::SendResult::Status::would_block:
      writable_ = false;
      return Io::blocked;
    case proto::SendResult::Status::error:
      break;
  }
  failed_ = true;
  return Io::failed;
}

void Connection::on_read_timeout() noexcept {
  try {
    session_->read_timed_out(out_);
  } catch (...) {
    session_failed();  // ends the connection like any session exception
    return;
  }
  out_.send_to(fd_.get());  // what fits now; the connection is closed next
}

Connection::Io Connection::read_some(std::span<char> buffer, std::size_t& budget) noexcept {
  const std::size_t want = std::min(buffer.size(), budget);
  const ssize_t got = ::recv(fd_.get(), buffer.data(), want, 0);
  if (got > 0) {
    budget -= static_cast<std::size_t>(got);
    // A short read took everything queued: data that arrives later raises
    // a new edge, so skip the recv that would only say EAGAIN. Not after a
    // hangup, whose edge does not come again.
    if (static_cast<std::size_t>(got) < want && !hung_up_) readable_ = false;
    last_active = worker_.now();
    try {
      session_->receive({buffer.data(), static_cast<std::size_t>(got)}, out_);
    } catch (...) {
      session_failed();
      return Io::failed;
    }
    return Io::progress;
  }
  if (got == 0) {
    peer_eof_ = true;
    try {
      session_->peer_closed(out_);
    } catch (...) {
      session_failed();
      return Io::failed;
    }
    return Io::progress;
  }
  if (errno == EAGAIN) {
    readable_ = false;
    return Io::blocked;
  }
  if (errno == EINTR) return Io::blocked;
  failed_ = true;
  return Io::failed;
}

// A session threw (called from a catch block): only this connection ends,
// and the log says why.
void Connection::session_failed() noexcept {
  failed_ = true;
  log_session_failure(worker_.log(), id_, peer_);
}

}  // namespace netcook::model::epoll
