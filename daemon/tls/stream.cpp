#include "tls/stream.hpp"

#include "tls/openssl_error.hpp"
#include "tls/peer.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <algorithm>
#include <climits>
#include <cstring>
#include <string>

namespace netcook::tls {

using detail::take_openssl_reason;

Stream::Stream(std::shared_ptr<const Context> context, int socket)
    : context_(std::move(context)), ssl_(SSL_new(context_->native())) {
  if (ssl_ == nullptr) throw Error("SSL_new: " + take_openssl_reason());
  if (SSL_set_fd(ssl_, socket) != 1) {
    SSL_free(ssl_);
    throw Error("SSL_set_fd: " + take_openssl_reason());
  }
  SSL_set_accept_state(ssl_);
}

Stream::~Stream() {
  SSL_free(ssl_);
}

// What SSL_get_error says of `result`, as a step. OpenSSL's error queue
// is per thread and must be empty before the next call: every path below
// leaves it so.
Step Stream::outcome(int result, Step::Status ok_status) noexcept {
  Step step;
  if (result > 0) {
    step.status = ok_status;
    step.size = static_cast<std::size_t>(result);
    return step;
  }
  const int error = SSL_get_error(ssl_, result);
  switch (error) {
    case SSL_ERROR_WANT_READ:
      step.status = Step::Status::would_block;
      step.needs = Needs::readable;
      return step;
    case SSL_ERROR_WANT_WRITE:
      step.status = Step::Status::would_block;
      step.needs = Needs::writable;
      return step;
    case SSL_ERROR_ZERO_RETURN:  // close_notify
      step.status = Step::Status::closed;
      return step;
    case SSL_ERROR_SYSCALL: {
      const int saved = errno;
      const unsigned long queued = ERR_peek_error();
      ERR_clear_error();
      // With errno 0 and nothing queued: the socket ended (an EOF).
      if (queued == 0 && saved == 0) {
        step.status = Step::Status::closed;
        return step;
      }
      step.status = Step::Status::failed;
      step.error = saved != 0 ? saved : EIO;
      step.reason = std::strerror(step.error);
      return step;
    }
    default:
      // OpenSSL 3 reports a peer that closed its socket without
      // close_notify this way: for us, the peer's end.
      if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        ERR_clear_error();
        step.status = Step::Status::closed;
        return step;
      }
      step.status = Step::Status::failed;
      step.error = EPROTO;
      step.reason = take_openssl_reason("TLS failed");
      // Nothing more may be sent on a broken session (not even
      // close_notify): a later shutdown() is a no-op.
      shut_down_ = true;
      return step;
  }
}

Step Stream::handshake() noexcept {
  if (established_) return {};
  ERR_clear_error();
  Step step = outcome(SSL_do_handshake(ssl_), Step::Status::done);
  if (step.status == Step::Status::done) {
    step.size = 0;
    established_ = true;
  } else if (step.status == Step::Status::closed) {
    // An end during the handshake is no clean close: the peer gave up.
    step.status = Step::Status::failed;
    step.error = ECONNRESET;
    step.reason = "the peer closed the connection during the handshake";
  }
  return step;
}

Step Stream::read(std::span<char> buffer) noexcept {
  ERR_clear_error();
  const int size = static_cast<int>(std::min<std::size_t>(buffer.size(), INT_MAX));
  return outcome(SSL_read(ssl_, buffer.data(), size), Step::Status::done);
}

Step Stream::write(std::span<const char> data) noexcept {
  if (data.empty()) return {};
  ERR_clear_error();
  const int size = static_cast<int>(std::min<std::size_t>(data.size(), INT_MAX));
  return outcome(SSL_write(ssl_, data.data(), size), Step::Status::done);
}

bool Stream::kernel_sends() const noexcept {
  return BIO_get_ktls_send(SSL_get_wbio(ssl_)) != 0;
}

Step Stream::sendfile(int file, off_t offset, std::size_t size) noexcept {
  ERR_clear_error();
  const ossl_ssize_t sent = SSL_sendfile(ssl_, file, offset, size, 0);
  if (sent >= 0) {
    Step step;
    step.size = static_cast<std::size_t>(sent);
    return step;
  }
  // SSL_sendfile sets the socket's errno and SSL_ERROR_WANT_WRITE when
  // the socket is full.
  return outcome(-1, Step::Status::done);
}

void Stream::shutdown() noexcept {
  if (shut_down_ || !established_) return;
  shut_down_ = true;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // sends close_notify; the peer's is not waited for
  ERR_clear_error();
}

std::string Stream::version() const {
  return protocol_version(ssl_);
}

std::string Stream::cipher() const {
  return tls::cipher(ssl_);
}

std::string Stream::alpn() const {
  return alpn_protocol(ssl_);
}

std::string Stream::peer_subject() const {
  return tls::peer_subject(ssl_);
}

}  // namespace netcook::tls
