#include "model/pump.hpp"

#include "model/socket_io.hpp"

#include <algorithm>

namespace netcook::model {
namespace {

// Writes what the socket takes now; false when the write share is used up
// and the socket may take more (the caller yields).
bool write_some(ConnectionCore& core, net::Fd socket, event::Readiness& ready,
                Clock::time_point now) noexcept {
  const WriteResult wrote = write_outbox(socket, core.outbox());
  core.sent(wrote.sent, now);
  switch (wrote.status) {
    case WriteResult::Status::done:
      return true;
    case WriteResult::Status::would_block:
      ready.writable = false;
      return true;
    case WriteResult::Status::paused:
      return false;
    case WriteResult::Status::failed:
      core.failed(wrote.error);
      return true;
  }
  return true;
}

void read_some(ConnectionCore& core, net::Fd socket, event::Readiness& ready,
               std::span<char> buffer, std::size_t& budget, Clock::time_point now) noexcept {
  const ReadResult got = read_socket(socket, buffer);
  switch (got.status) {
    case ReadResult::Status::data:
      budget -= got.size;
      // A short read took everything queued: data that arrives later is
      // reported anew, so skip the recv that would only say EAGAIN. Not
      // after a hangup, which is never reported again.
      if (got.size < buffer.size() && !ready.hung_up) ready.readable = false;
      core.received({buffer.data(), got.size}, now);
      return;
    case ReadResult::Status::end:
      core.peer_finished();
      return;
    case ReadResult::Status::would_block:
      ready.readable = false;
      return;
    case ReadResult::Status::failed:
      core.failed(got.error);
      return;
  }
}

}  // namespace

Pumped pump(ConnectionCore& core, net::Fd socket, event::Readiness& ready, std::span<char> scratch,
            std::size_t read_budget, Clock::time_point now) noexcept {
  while (!core.closed()) {
    if (core.wants_write() && ready.writable && !write_some(core, socket, ready, now))
      return core.closed() ? Pumped::closed : Pumped::more;
    if (core.closed() || !core.wants_read() || !ready.readable) break;
    if (read_budget == 0) return Pumped::more;
    read_some(core, socket, ready, scratch.first(std::min(scratch.size(), read_budget)),
              read_budget, now);
  }
  return core.closed() ? Pumped::closed : Pumped::idle;
}

void flush_now(ConnectionCore& core, net::Fd socket, Clock::time_point now) noexcept {
  if (!core.wants_write()) return;
  const WriteResult wrote = write_outbox(socket, core.outbox());
  core.sent(wrote.sent, now);
  if (wrote.status == WriteResult::Status::failed) core.failed(wrote.error);
}

}  // namespace netcook::model
