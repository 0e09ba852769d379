#include "model/transport.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace netcook::model {
namespace {

using std::chrono::milliseconds;

// The SO_RCVTIMEO for a wait of at most `most` (see read_waiting()).
milliseconds wait_within(milliseconds most) noexcept {
  if (most == milliseconds::max()) return milliseconds(0);  // none
  return milliseconds(
      std::bit_floor(static_cast<std::uint64_t>(std::max<milliseconds::rep>(most.count(), 1))));
}

// Whether the wait now set, `set`, still suits a wait of at most `most`.
bool suits(milliseconds set, milliseconds most) noexcept {
  if (most == milliseconds::max()) return set.count() == 0;
  return set.count() > 0 && set <= most && most < 4 * set;
}

// 0, or the errno of a failure.
int make_blocking(net::Fd fd, bool blocking) noexcept {
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0) return errno;
  const int wanted = blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK);
  return wanted == flags || ::fcntl(fd.get(), F_SETFL, wanted) == 0 ? 0 : errno;
}

int set_read_timeout(net::Fd fd, milliseconds wait) noexcept {
  const timeval value{static_cast<time_t>(wait.count() / 1000),
                      static_cast<suseconds_t>(wait.count() % 1000 * 1000)};
  return ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &value, sizeof value) == 0 ? 0 : errno;
}

}  // namespace

ReadResult PlainTransport::read(std::span<char> buffer) noexcept {
  ReadResult got = read_socket(fd(), buffer);
  // A short recv took everything queued: data that arrives later is
  // reported anew, so the pump may skip the recv that would only say
  // EAGAIN.
  got.drained = got.status == ReadResult::Status::data && got.size < buffer.size();
  return got;
}

ReadResult PlainTransport::read_waiting(std::span<char> buffer, milliseconds most) noexcept {
  if (!blocking_) {
    if (const int error = make_blocking(fd(), true); error != 0)
      return {ReadResult::Status::failed, 0, error};
    blocking_ = true;
  }
  if (!suits(read_timeout_, most)) {
    const milliseconds wait = wait_within(most);
    if (const int error = set_read_timeout(fd(), wait); error != 0)
      return {ReadResult::Status::failed, 0, error};
    read_timeout_ = wait;
  }
  ReadResult got = wait_socket(fd(), buffer);
  got.drained = got.status == ReadResult::Status::data && got.size < buffer.size();
  return got;
}

WriteResult PlainTransport::write(proto::Outbox& out) noexcept {
  // sendfile(2) has no MSG_DONTWAIT: a file goes out on a non-blocking
  // socket, or a peer that stopped reading would hold it there.
  if (blocking_ && out.file_after_pending()) {
    if (const int error = make_blocking(fd(), false); error != 0)
      return {WriteResult::Status::failed, 0, error};
    blocking_ = false;
  }
  return write_outbox(fd(), out);
}

}  // namespace netcook::model
