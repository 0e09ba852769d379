#pragma once

// One connection's way to its socket: what the pump reads the peer's bytes
// through and writes the Outbox through, the same under every model. The
// plain transport is the system calls of socket_io.hpp on the descriptor;
// a transport that transforms the byte stream (TLS) keeps the same face,
// so that neither the pump nor the models know which one they drive.
//
// A transformed stream does not map one to one onto the socket's
// readiness: a TLS read may have to write first (a renegotiation, a key
// update) and a TLS write may have to read (SSL_ERROR_WANT_WRITE during
// SSL_read, WANT_READ during SSL_write). So each direction says which
// readiness of the socket it waits for — read_needs(), write_needs() —
// and a transport updates them whenever a call says would_block. The pump
// clears and tests that readiness, and the models wait for it
// (model::awaited() in pump.hpp); for the plain transport they are always
// readable and writable, today's behaviour.
//
// A transport may need a handshake before it carries the session's bytes
// (established(), handshake()). The pump drives it as one more step of the
// core's preamble, after the PROXY header and before the session is made:
//   header -> handshake -> session.
// The PROXY header is plaintext, sent by the proxy before any TLS: it is
// peeked at and taken from fd() exactly (see pump.cpp), never through
// read(), and the handshake starts once the core has it. The plain
// transport is established at once and its handshake() is never needed.
//
// Calls never throw, block or raise SIGPIPE, and allocate nothing: a
// virtual call per read or write is the whole cost of the indirection.
// The one call made to block is read_waiting(), for a model that serves
// the connection on a thread or process of its own: there a wait in
// recv(2) replaces a poll(2) and the read after it (poll_loop.cpp).

#include "event/readiness.hpp"
#include "model/socket_io.hpp"
#include "net/fd.hpp"
#include "proto/outbox.hpp"

#include <chrono>
#include <span>
#include <string>

namespace netcook::model {

// A readiness of the socket one direction of a transport waits for.
enum class SocketReady : unsigned char { readable, writable };

// Whether `ready` says the socket is `what`, and forgetting that it is
// (an I/O call said would_block).
inline bool is(const event::Readiness& ready, SocketReady what) noexcept {
  return what == SocketReady::readable ? ready.readable : ready.writable;
}
inline void clear(event::Readiness& ready, SocketReady what) noexcept {
  (what == SocketReady::readable ? ready.readable : ready.writable) = false;
}

// What a finished handshake agreed on, for the connection's log lines
// (TLS_VERSION=, TLS_CIPHER=, TLS_CLIENT_SUBJECT=).
struct Secured {
  std::string version;         // "TLSv1.3"
  std::string cipher;          // "TLS_AES_128_GCM_SHA256"
  std::string alpn;            // "http/1.1", or "" for none
  std::string client_subject;  // RFC 2253, or "" without a client certificate
};

struct HandshakeResult {
  enum class Status {
    done,         // established(): the session's bytes may flow
    would_block,  // call again once the socket is as handshake_needs() says
    failed,       // see `error` (errno, or EPROTO for a peer that does not
                  // speak the protocol); the connection should end
  };
  Status status = Status::done;
  int error = 0;
};

class Transport {
 public:
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  virtual ~Transport() = default;

  // The connection's socket, for the model to wait on and for the PROXY
  // header (read before any transformation). The connection owns it.
  net::Fd fd() const noexcept { return fd_; }

  // The semantics of read_socket(): one read into `buffer` (never empty).
  // `drained` in the result, when set, says the socket has nothing more
  // queued (a short recv); a transport that buffers (TLS records) leaves
  // it unset, and the pump reads again until would_block.
  virtual ReadResult read(std::span<char> buffer) noexcept = 0;
  // The semantics of write_outbox(): what the socket takes now, oldest
  // first, up to a fair share per call, files by sendfile or pread.
  virtual WriteResult write(proto::Outbox& out) noexcept = 0;

  // Which readiness the next read() and write() wait for, as their last
  // would_block left it.
  SocketReady read_needs() const noexcept { return read_needs_; }
  SocketReady write_needs() const noexcept { return write_needs_; }

  // Until established(), only handshake() may be called; while it says
  // would_block, the model waits for handshake_needs(). The plain
  // transport is established from the start.
  virtual bool established() const noexcept { return true; }
  virtual HandshakeResult handshake() noexcept { return {}; }
  SocketReady handshake_needs() const noexcept { return handshake_needs_; }
  // Once established: what the handshake agreed on. Once a handshake
  // failed: why, in the words of the library that failed.
  virtual Secured secured() const { return {}; }
  virtual std::string failure() const { return {}; }

  // Whether read_waiting() waits: the transport reads the socket as is.
  // TLS does not (a record may have to write first).
  virtual bool can_wait_in_read() const noexcept { return false; }
  // A read() that waits for the peer, the socket made blocking for it:
  // until the peer sends something or ends, a signal's handler runs, or
  // at most about `most` (at least 1 ms; milliseconds::max(): no limit)
  // passes, which says would_block. The wait is the largest power of two
  // of milliseconds within `most`, kept while `most` shrinks towards it
  // (and up to four times it, as it grows), so that its SO_RCVTIMEO is not
  // set again for every read; the kernel rounds it up to its clock tick.
  // Nothing else of the transport ever waits: its writes never block.
  virtual ReadResult read_waiting(std::span<char> buffer, std::chrono::milliseconds most) noexcept {
    static_cast<void>(most);
    return read(buffer);
  }

  // Just before the socket closes: a clean end (`clean`: the connection
  // did not fail) says goodbye in the transport's own terms (TLS's
  // close_notify), without waiting.
  virtual void finish(bool clean) noexcept { static_cast<void>(clean); }

 protected:
  explicit Transport(net::Fd fd) noexcept : fd_(fd) {}

  // Set by a transport when a call would block for the other readiness.
  SocketReady read_needs_ = SocketReady::readable;
  SocketReady write_needs_ = SocketReady::writable;
  SocketReady handshake_needs_ = SocketReady::readable;

 private:
  net::Fd fd_;
};

// The bytes as they are: read_socket() and write_outbox() on the socket.
class PlainTransport final : public Transport {
 public:
  explicit PlainTransport(net::Fd fd) noexcept : Transport(fd) {}

  ReadResult read(std::span<char> buffer) noexcept override;
  WriteResult write(proto::Outbox& out) noexcept override;
  bool can_wait_in_read() const noexcept override { return true; }
  ReadResult read_waiting(std::span<char> buffer, std::chrono::milliseconds most) noexcept override;

 private:
  // Whether read_waiting() made the socket blocking (every other read and
  // send says MSG_DONTWAIT; sendfile(2) cannot, so a file range makes it
  // non-blocking again), and the SO_RCVTIMEO it set (zero: none).
  bool blocking_ = false;
  std::chrono::milliseconds read_timeout_{0};
};

}  // namespace netcook::model
