#include "co/io.hpp"

#include <cerrno>

#include <sys/socket.h>

namespace netcook::co {
namespace {

IoResult from_errno(FdEvents& events, bool reading) noexcept {
  const int error = errno;
  if (error == EAGAIN || error == EWOULDBLOCK) {
    if (reading)
      events.read_blocked();
    else
      events.write_blocked();
    return {IoResult::Status::would_block};
  }
  if (error == EINTR) return {IoResult::Status::would_block};
  return {IoResult::Status::error, 0, error};
}

}  // namespace

IoResult read_now(FdEvents& events, std::span<char> buffer) noexcept {
  const ssize_t got = ::recv(events.fd(), buffer.data(), buffer.size(), 0);
  if (got > 0) {
    // A short read took everything queued: skip the recv that would only
    // say EAGAIN. Not after a hangup, whose edge will not come again.
    if (static_cast<std::size_t>(got) < buffer.size() && !events.peer_hung_up())
      events.read_blocked();
    return {IoResult::Status::ok, static_cast<std::size_t>(got)};
  }
  if (got == 0) return {IoResult::Status::closed};
  return from_errno(events, true);
}

IoResult write_now(FdEvents& events, std::string_view bytes) noexcept {
  const ssize_t sent = ::send(events.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
  if (sent >= 0) return {IoResult::Status::ok, static_cast<std::size_t>(sent)};
  return from_errno(events, false);
}

IoResult Transfer::attempt() noexcept {
  return reading_ ? read_now(events_, into_) : write_now(events_, from_);
}

// Tries the I/O at once unless the fd is known not to be ready; suspends
// only when that would block and nothing else (a wake, an error) is due.
bool Transfer::await_ready() noexcept {
  const bool maybe = reading_ ? events_.maybe_readable() : events_.maybe_writable();
  if (maybe) {
    result_ = attempt();
    if (result_.status != IoResult::Status::would_block) {
      done_ = true;
      return true;
    }
  }
  return wait_.await_ready();
}

IoResult Transfer::await_resume() noexcept {
  if (done_) return result_;
  switch (wait_.await_resume()) {
    case Ready::timeout:
      return {IoResult::Status::timeout};
    case Ready::woken:
      return {IoResult::Status::woken};
    case Ready::error: {
      const IoResult result = attempt();  // picks up the socket's errno
      return result.status == IoResult::Status::would_block
                 ? IoResult{IoResult::Status::error}
                 : result;
    }
    case Ready::ready:
      break;
  }
  return attempt();
}

}  // namespace netcook::co
