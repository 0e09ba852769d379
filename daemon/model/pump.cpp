#include "model/pump.hpp"

#include "model/socket_io.hpp"

#include <algorithm>

namespace netcook::model {
namespace {

// The PROXY header is the proxy's plaintext, sent before any byte of the
// transport's own (a TLS ClientHello): it must never go through a
// transport that transforms the stream, so it is read from the socket
// itself, and exactly: the core is shown what the socket holds (a peek)
// and says how much of it is the header, which alone is taken off the
// socket. Whatever follows stays there for the transport. (Reading only
// what a peek showed, the socket is never left readable with header bytes
// still in it: no busy loop under select or poll.)
SocketReady read_needs(const ConnectionCore& core, const Transport& transport) noexcept {
  return core.awaiting_header() ? SocketReady::readable : transport.read_needs();
}

ReadResult read_header(ConnectionCore& core, net::Fd socket, std::span<char> buffer,
                       Clock::time_point now) noexcept {
  ReadResult got = peek_socket(socket, buffer);
  if (got.status != ReadResult::Status::data) return got;
  const std::size_t used = core.header_part({buffer.data(), got.size}, now);
  if (used > 0) {
    if (const int error = discard_socket(socket, buffer, used); error != 0)
      return {ReadResult::Status::failed, 0, error};
  }
  // Taken to the last byte of a short peek: the socket is empty.
  got.drained = used == got.size && got.size < buffer.size();
  got.size = used;
  return got;
}

// One step of the transport's handshake, while the core awaits it.
void shake(ConnectionCore& core, Transport& transport, event::Readiness& ready,
           Clock::time_point now) noexcept {
  const HandshakeResult shaken = transport.handshake();
  switch (shaken.status) {
    case HandshakeResult::Status::done:
      try {
        core.handshake_done(transport.secured(), now);
      } catch (...) {  // no memory for the facts: served without them
        core.handshake_done({}, now);
      }
      return;
    case HandshakeResult::Status::would_block:
      clear(ready, transport.handshake_needs());
      return;
    case HandshakeResult::Status::failed:
      try {
        core.handshake_failed(transport.failure(), now);
      } catch (...) {
        core.handshake_failed({}, now);
      }
      return;
  }
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

// What a read got, for the core; with `header`, it was the PROXY header's,
// which read_header() already handed over.
void take(ConnectionCore& core, Transport& transport, event::Readiness& ready,
          const ReadResult& got, std::span<const char> buffer, bool header,
          Clock::time_point now) noexcept {
  switch (got.status) {
    case ReadResult::Status::data:
      // Everything queued was taken: data that arrives later is reported
      // anew, so skip the read that would only say would_block. Not after
      // a hangup, which is never reported again.
      if (got.drained && !ready.hung_up) clear(ready, SocketReady::readable);
      if (!header) core.received({buffer.data(), got.size}, now);
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

void read_some(ConnectionCore& core, Transport& transport, event::Readiness& ready,
               std::span<char> buffer, std::size_t& budget, Clock::time_point now) noexcept {
  const bool header = core.awaiting_header();
  const ReadResult got =
      header ? read_header(core, transport.fd(), buffer, now) : transport.read(buffer);
  if (got.status == ReadResult::Status::data) budget -= std::min(budget, got.size);
  take(core, transport, ready, got, buffer, header, now);
}

}  // namespace

Pumped pump(ConnectionCore& core, Transport& transport, event::Readiness& ready,
            std::span<char> scratch, std::size_t read_budget, Clock::time_point now) noexcept {
  while (!core.closed()) {
    if (core.awaiting_handshake()) {
      if (!is(ready, transport.handshake_needs())) break;
      shake(core, transport, ready, now);
      continue;
    }
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

void take_read(ConnectionCore& core, Transport& transport, event::Readiness& ready,
               const ReadResult& got, std::span<const char> buffer,
               Clock::time_point now) noexcept {
  if (got.status == ReadResult::Status::data) ready.readable = true;
  take(core, transport, ready, got, buffer, false, now);
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
  if (core.awaiting_handshake()) want(transport.handshake_needs());
  if (core.wants_read()) want(read_needs(core, transport));
  if (core.wants_write()) want(transport.write_needs());
  return wait;
}

}  // namespace netcook::model
