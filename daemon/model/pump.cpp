#include "model/pump.hpp"

#include "model/socket_io.hpp"

#include <algorithm>

namespace netcook::model {
namespace {

// The PROXY header is the proxy's plaintext, sent before any byte of the
// transport's own (a TLS ClientHello): it must never go through a
// transport that transforms the stream, so it is read from the socket
// itself. (For the plain transport both ways are the same recv. What a
// read brings after the header goes to the session today; a TLS
// transport will have to be handed those bytes instead.)
SocketReady read_needs(const ConnectionCore& core, const Transport& transport) noexcept {
  return core.awaiting_header() ? SocketReady::readable : transport.read_needs();
}

ReadResult read_next(const ConnectionCore& core, Transport& transport,
                     std::span<char> buffer) noexcept {
  if (!core.awaiting_header()) return transport.read(buffer);
  ReadResult got = read_socket(transport.fd(), buffer);
  got.drained = got.status == ReadResult::Status::data && got.size < buffer.size();
  return got;
}

// Writes what the socket takes now; false when the write share is used up
// and the socket may take more (the caller yields).
bool write_some(ConnectionCore& core, Transport& transport, event::Readiness& ready,
                Clock::time_point now) noexcept {
  const WriteResult wrote = transport.write(core.outbox());
  core.sent(wrote.sent, now);
  switch (wrote.status) {
    case WriteResult::Status::done:
      return true;
    case WriteResult::Status::would_block:
      clear(ready, transport.write_needs());
      return true;
    case WriteResult::Status::paused:
      return false;
    case WriteResult::Status::failed:
      core.failed(wrote.error);
      return true;
  }
  return true;
}

void read_some(ConnectionCore& core, Transport& transport, event::Readiness& ready,
               std::span<char> buffer, std::size_t& budget, Clock::time_point now) noexcept {
  const ReadResult got = read_next(core, transport, buffer);
  switch (got.status) {
    case ReadResult::Status::data:
      budget -= got.size;
      // Everything queued was taken: data that arrives later is reported
      // anew, so skip the read that would only say would_block. Not after
      // a hangup, which is never reported again.
      if (got.drained && !ready.hung_up) clear(ready, read_needs(core, transport));
      core.received({buffer.data(), got.size}, now);
      return;
    case ReadResult::Status::end:
      core.peer_finished();
      return;
    case ReadResult::Status::would_block:
      clear(ready, read_needs(core, transport));
      return;
    case ReadResult::Status::failed:
      core.failed(got.error);
      return;
  }
}

}  // namespace

Pumped pump(ConnectionCore& core, Transport& transport, event::Readiness& ready,
            std::span<char> scratch, std::size_t read_budget, Clock::time_point now) noexcept {
  while (!core.closed()) {
    if (core.wants_write() && is(ready, transport.write_needs()) &&
        !write_some(core, transport, ready, now))
      return core.closed() ? Pumped::closed : Pumped::more;
    if (core.closed() || !core.wants_read() || !is(ready, read_needs(core, transport))) break;
    if (read_budget == 0) return Pumped::more;
    read_some(core, transport, ready, scratch.first(std::min(scratch.size(), read_budget)),
              read_budget, now);
  }
  return core.closed() ? Pumped::closed : Pumped::idle;
}

void flush_now(ConnectionCore& core, Transport& transport, Clock::time_point now) noexcept {
  if (!core.wants_write()) return;
  const WriteResult wrote = transport.write(core.outbox());
  core.sent(wrote.sent, now);
  if (wrote.status == WriteResult::Status::failed) core.failed(wrote.error);
}

SocketWait awaited(const ConnectionCore& core, const Transport& transport) noexcept {
  SocketWait wait;
  const auto want = [&wait](SocketReady what) {
    (what == SocketReady::readable ? wait.readable : wait.writable) = true;
  };
  if (core.wants_read()) want(read_needs(core, transport));
  if (core.wants_write()) want(transport.write_needs());
  return wait;
}

}  // namespace netcook::model
