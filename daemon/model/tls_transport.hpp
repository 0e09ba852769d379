#pragma once

// A connection's bytes through TLS: the pump's Transport over a
// tls::Stream on the connection's socket. Until the handshake is done the
// core drives handshake() (its deadline: the listener's
// handshake_timeout); then read() hands the session plaintext and write()
// encrypts the Outbox: bytes with SSL_write, file ranges with
// SSL_sendfile when the kernel does the encryption (kTLS), else read into
// a small buffer and written like bytes.

#include "model/transport.hpp"
#include "tls/context.hpp"
#include "tls/stream.hpp"

#include <memory>
#include <string>

namespace netcook::model {

class TlsTransport final : public Transport {
 public:
  // Throws tls::Error when OpenSSL cannot make the connection's state.
  TlsTransport(net::Fd fd, std::shared_ptr<const tls::Context> context);

  bool established() const noexcept override { return stream_.established(); }
  HandshakeResult handshake() noexcept override;
  ReadResult read(std::span<char> buffer) noexcept override;
  WriteResult write(proto::Outbox& out) noexcept override;

  Secured secured() const override;
  // Why the handshake failed: OpenSSL's reason.
  std::string failure() const override { return failure_; }
  // Sends close_notify once established, if the end is clean: a session
  // ended that way stays resumable.
  void finish(bool clean) noexcept override;

  const tls::Stream& stream() const noexcept { return stream_; }

 private:
  // Writes from `out`'s next part; the bytes written, 0 when the step says
  // to stop (its status then in `stop`).
  std::size_t write_some(proto::Outbox& out, std::size_t most, tls::Step& stop) noexcept;

  tls::Stream stream_;
  std::string failure_;
};

}  // namespace netcook::model
