#pragma once

// One server-side TLS connection on a non-blocking socket: the SSL bound
// to the descriptor (a socket BIO, so that OpenSSL may hand the record
// layer to the kernel: kTLS and SSL_sendfile), stepped by its caller. No
// call blocks; each says what the socket must become before the next one
// can make progress (`needs`). model/tls_transport adapts it to the
// pump's Transport; this header names no OpenSSL type, like context.hpp.
// OpenSSL writes with write(2): the process must ignore SIGPIPE (the
// daemon's processes do).

#include "tls/context.hpp"

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <sys/types.h>

typedef struct ssl_st SSL;  // as OpenSSL's <openssl/types.h> has it

namespace netcook::tls {

// What the socket must be before the call that said so can go on.
enum class Needs : unsigned char { readable, writable };

struct Step {
  enum class Status {
    done,         // handshake: established; read/write: `size` bytes moved
    would_block,  // call again once the socket is as `needs` says
    closed,       // the peer closed the TLS session (close_notify) or the socket
    failed,       // the peer does not speak TLS, broke the protocol, or the
                  // socket failed: `reason` says what; the connection ends
  };
  Status status = Status::done;
  std::size_t size = 0;
  Needs needs = Needs::readable;
  std::string reason;  // failed: OpenSSL's reason or errno's text
  // failed: errno of a socket that failed (ECONNRESET: the peer closed it
  // with our bytes unread), or EPROTO when TLS itself failed.
  int error = 0;
};

class Stream {
 public:
  // Throws Error when OpenSSL cannot make the SSL (out of memory). Holds
  // `context` for as long as it lives.
  Stream(std::shared_ptr<const Context> context, int socket);
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  // Frees the SSL without a word to the peer (see shutdown()).
  ~Stream();

  Step handshake() noexcept;
  bool established() const noexcept { return established_; }

  // Plaintext from the peer, at most buffer.size() bytes.
  Step read(std::span<char> buffer) noexcept;
  // Plaintext to the peer: done with `size` of `data` taken (maybe fewer:
  // partial writes are on). After would_block, the next write must offer
  // the same bytes again (OpenSSL's rule; the Outbox keeps them).
  Step write(std::span<const char> data) noexcept;

  // Whether the kernel encrypts what this stream sends (kTLS): then
  // sendfile() may send a file's bytes without copying them.
  bool kernel_sends() const noexcept;
  // SSL_sendfile: `size` bytes of `file` from `offset`; only when
  // kernel_sends().
  Step sendfile(int file, off_t offset, std::size_t size) noexcept;

  // Sends close_notify once, without waiting for the peer's (a clean end:
  // the session stays resumable). Best effort, never blocks.
  void shutdown() noexcept;

  // After the handshake: "TLSv1.3", "TLS_AES_128_GCM_SHA256", the ALPN
  // protocol ("" for none), the client certificate's subject ("" without).
  std::string version() const;
  std::string cipher() const;
  std::string alpn() const;
  std::string peer_subject() const;

 private:
  Step outcome(int result, Step::Status ok_status) noexcept;

  std::shared_ptr<const Context> context_;
  SSL* ssl_ = nullptr;
  bool established_ = false;
  bool shut_down_ = false;
};

}  // namespace netcook::tls
