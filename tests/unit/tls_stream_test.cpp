// tls::Stream, the server side of one TLS connection on a non-blocking
// socket, against an OpenSSL client on the other end of a socketpair, both
// stepped in turn in this thread: the handshake, bytes both ways, what each
// end of the session looks like, and bad input.

#include "test_pki.hpp"
#include "tls/context.hpp"
#include "tls/stream.hpp"
#include "model/tls_transport.hpp"
#include "net/unique_fd.hpp"
#include "proto/outbox.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cerrno>
#include <utility>
#include <memory>
#include <string>

namespace netcook::tls {
namespace {

using test::TestPki;

const TestPki& pki() {
  static const TestPki made;
  return made;
}

// OpenSSL writes with write(2): like the daemon, the test ignores SIGPIPE.
const bool kIgnoresSigpipe = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;

struct FreeCtx {
  void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};
struct FreeSsl {
  void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};

std::shared_ptr<const Context> server_context() {
  Settings settings;
  settings.certificate = pki().server().certificate;
  settings.key = pki().server().key;
  settings.alpn = {"http/1.1"};
  return Context::load(settings);
}

// A client (verifying the test CA) and the server's Stream over a
// socketpair.
class Pair {
 public:
  Pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    client_fd = fds[0];
    server_fd = fds[1];
    client_ctx.reset(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_load_verify_locations(client_ctx.get(), pki().ca().certificate.c_str(), nullptr);
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
    static const unsigned char kAlpn[] = "\x08http/1.1";
    SSL_CTX_set_alpn_protos(client_ctx.get(), kAlpn, sizeof kAlpn - 1);
    client.reset(SSL_new(client_ctx.get()));
    SSL_set_fd(client.get(), client_fd);
    SSL_set_tlsext_host_name(client.get(), "localhost");
    SSL_set1_host(client.get(), "localhost");
    SSL_set_connect_state(client.get());
    server = std::make_unique<Stream>(server_context(), server_fd);
  }
  ~Pair() {
    server.reset();
    client.reset();
    if (client_fd >= 0) ::close(client_fd);
    ::close(server_fd);
  }
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;

  // Steps both until the server's handshake is not would_block any more
  // (bounded in steps: each moves bytes or the test fails).
  Step shake() {
    Step step;
    for (int i = 0; i < 100; ++i) {
      ERR_clear_error();
      SSL_do_handshake(client.get());
      step = server->handshake();
      if (step.status != Step::Status::would_block) return step;
    }
    ADD_FAILURE() << "the handshake did not finish";
    return step;
  }

  // The same for a TlsTransport made on server_fd (server reset first).
  model::HandshakeResult shake(model::TlsTransport& transport) {
    model::HandshakeResult shaken;
    for (int i = 0; i < 100; ++i) {
      ERR_clear_error();
      SSL_do_handshake(client.get());
      shaken = transport.handshake();
      if (shaken.status != model::HandshakeResult::Status::would_block) break;
    }
    return shaken;
  }

  // The client's plaintext, read until `size` bytes came (bounded).
  std::string client_reads(std::size_t size) {
    std::string got;
    std::array<char, 4096> buffer{};
    for (int i = 0; i < 1000 && got.size() < size; ++i) {
      const int n = SSL_read(client.get(), buffer.data(), static_cast<int>(buffer.size()));
      if (n > 0) got.append(buffer.data(), static_cast<std::size_t>(n));
    }
    ERR_clear_error();
    return got;
  }

  int client_fd = -1;
  int server_fd = -1;
  std::unique_ptr<SSL_CTX, FreeCtx> client_ctx;
  std::unique_ptr<SSL, FreeSsl> client;
  std::unique_ptr<Stream> server;
};

TEST(TlsStream, HandshakesAndSaysWhatWasAgreed) {
  ASSERT_TRUE(kIgnoresSigpipe);
  Pair pair;
  const Step step = pair.shake();
  ASSERT_EQ(step.status, Step::Status::done) << step.reason;
  EXPECT_TRUE(pair.server->established());
  EXPECT_EQ(pair.server->version(), "TLSv1.3");
  EXPECT_FALSE(pair.server->cipher().empty());
  EXPECT_EQ(pair.server->alpn(), "http/1.1");
  EXPECT_EQ(pair.server->peer_subject(), "");
  // This machine's kernel has no kTLS: the bytes go through OpenSSL.
  EXPECT_FALSE(pair.server->kernel_sends());
}

TEST(TlsStream, CarriesBytesBothWays) {
  Pair pair;
  ASSERT_EQ(pair.shake().status, Step::Status::done);
  ASSERT_EQ(SSL_write(pair.client.get(), "hello\n", 6), 6);
  std::array<char, 64> buffer{};
  Step step = pair.server->read(buffer);
  ASSERT_EQ(step.status, Step::Status::done) << step.reason;
  EXPECT_EQ(std::string(buffer.data(), step.size), "hello\n");
  step = pair.server->read(buffer);
  EXPECT_EQ(step.status, Step::Status::would_block);
  EXPECT_EQ(step.needs, Needs::readable);

  const std::string big(200 * 1024, 'x');
  std::size_t sent = 0;
  std::string got;
  for (int i = 0; i < 10000 && got.size() < big.size(); ++i) {
    if (sent < big.size()) {
      step = pair.server->write(std::span<const char>(big).subspan(sent));
      if (step.status == Step::Status::done) sent += step.size;
      else
        ASSERT_EQ(step.status, Step::Status::would_block) << step.reason;
    }
    std::array<char, 16384> chunk{};
    const int n = SSL_read(pair.client.get(), chunk.data(), static_cast<int>(chunk.size()));
    if (n > 0) got.append(chunk.data(), static_cast<std::size_t>(n));
    ERR_clear_error();
  }
  EXPECT_EQ(got.size(), big.size());
  EXPECT_EQ(got, big);
}

TEST(TlsStream, APeerThatSaysCloseNotifyIsClosed) {
  Pair pair;
  ASSERT_EQ(pair.shake().status, Step::Status::done);
  SSL_shutdown(pair.client.get());
  std::array<char, 64> buffer{};
  EXPECT_EQ(pair.server->read(buffer).status, Step::Status::closed);
  pair.server->shutdown();  // answers with its own close_notify, once
  pair.server->shutdown();
}

// A client that closes its socket without close_notify: an end (EOF), or,
// when it left the server's session tickets unread, a reset (ECONNRESET),
// as a plain socket would say.
TEST(TlsStream, APeerThatJustClosesItsSocketEndsTheStream) {
  Pair pair;
  ASSERT_EQ(pair.shake().status, Step::Status::done);
  pair.client.reset();
  ::close(std::exchange(pair.client_fd, -1));
  std::array<char, 64> buffer{};
  const Step step = pair.server->read(buffer);
  if (step.status == Step::Status::failed)
    EXPECT_EQ(step.error, ECONNRESET) << step.reason;
  else
    EXPECT_EQ(step.status, Step::Status::closed);
}

// The same after the client read everything: a plain end.
TEST(TlsStream, APeerThatReadAllAndClosesIsAnEnd) {
  Pair pair;
  ASSERT_EQ(pair.shake().status, Step::Status::done);
  ASSERT_EQ(SSL_write(pair.client.get(), "x", 1), 1);
  std::array<char, 64> buffer{};
  ASSERT_EQ(pair.server->read(buffer).status, Step::Status::done);
  // The client reads what the server sent after the handshake (its
  // session tickets), then closes.
  EXPECT_LE(SSL_read(pair.client.get(), buffer.data(), static_cast<int>(buffer.size())), 0);
  ERR_clear_error();
  pair.client.reset();
  ::close(std::exchange(pair.client_fd, -1));
  const Step step = pair.server->read(buffer);
  EXPECT_EQ(step.status, Step::Status::closed) << step.reason;
}

TEST(TlsStream, GarbageInsteadOfAClientHelloFailsTheHandshake) {
  Pair pair;
  const std::string garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::write(pair.client_fd, garbage.data(), garbage.size()),
            static_cast<ssize_t>(garbage.size()));
  const Step step = pair.server->handshake();
  EXPECT_EQ(step.status, Step::Status::failed);
  EXPECT_FALSE(step.reason.empty());
  EXPECT_FALSE(pair.server->established());
  pair.server->shutdown();  // nothing to say on a broken session
}

TEST(TlsStream, AClientThatLeavesMidHandshakeFailsIt) {
  Pair pair;
  ERR_clear_error();
  SSL_do_handshake(pair.client.get());  // the ClientHello goes out
  EXPECT_EQ(pair.server->handshake().status, Step::Status::would_block);
  pair.client.reset();
  ::close(std::exchange(pair.client_fd, -1));
  const Step step = pair.server->handshake();
  EXPECT_EQ(step.status, Step::Status::failed);
}

TEST(TlsStream, SilenceIsWouldBlockOnReadable) {
  Pair pair;
  const Step step = pair.server->handshake();
  EXPECT_EQ(step.status, Step::Status::would_block);
  EXPECT_EQ(step.needs, Needs::readable);
}

// The pump's view: TlsTransport over the same pair, an Outbox with bytes
// and a file range (the copy path: this kernel has no kTLS), read back by
// the client exactly.
TEST(TlsTransport, WritesAnOutboxWithAFileAndReadsPlaintext) {
  Pair pair;
  pair.server.reset();  // the transport makes its own stream on the socket
  model::TlsTransport transport(net::Fd(pair.server_fd), server_context());
  EXPECT_FALSE(transport.established());
  const model::HandshakeResult shaken = pair.shake(transport);
  ASSERT_EQ(shaken.status, model::HandshakeResult::Status::done) << transport.failure();
  ASSERT_TRUE(transport.established());

  const std::string path = pki().write_file("body.txt", std::string(100 * 1024, 'f'));
  auto file = std::make_shared<const net::UniqueFd>(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  proto::Outbox out;
  out.append("HTTP/1.1 200 OK\r\n\r\n");
  out.append_file(file, 1000, 50 * 1024);
  out.append("\nend\n");
  const std::size_t total = 19 + 50 * 1024 + 5;
  std::string got;
  for (int i = 0; i < 10000 && got.size() < total; ++i) {
    if (!out.empty()) {
      const model::WriteResult written = transport.write(out);
      ASSERT_NE(written.status, model::WriteResult::Status::failed) << written.error;
    }
    std::array<char, 16384> chunk{};
    const int n = SSL_read(pair.client.get(), chunk.data(), static_cast<int>(chunk.size()));
    if (n > 0) got.append(chunk.data(), static_cast<std::size_t>(n));
    ERR_clear_error();
  }
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(got, "HTTP/1.1 200 OK\r\n\r\n" + std::string(50 * 1024, 'f') + "\nend\n");

  ASSERT_EQ(SSL_write(pair.client.get(), "GET /\r\n", 7), 7);
  std::array<char, 64> buffer{};
  const model::ReadResult read = transport.read(buffer);
  ASSERT_EQ(read.status, model::ReadResult::Status::data);
  EXPECT_EQ(std::string(buffer.data(), read.size), "GET /\r\n");
  EXPECT_EQ(transport.read(buffer).status, model::ReadResult::Status::would_block);
  EXPECT_EQ(transport.read_needs(), model::SocketReady::readable);
  SSL_shutdown(pair.client.get());
  EXPECT_EQ(transport.read(buffer).status, model::ReadResult::Status::end);
  transport.finish(true);
}

// A response's head and a small file's body go out as one TLS record in
// one write, as nginx's do, not one record each.
TEST(TlsTransport, AHeadAndASmallFileLeaveInOneRecord) {
  Pair pair;
  pair.server.reset();
  model::TlsTransport transport(net::Fd(pair.server_fd), server_context());
  const model::HandshakeResult shaken = pair.shake(transport);
  ASSERT_EQ(shaken.status, model::HandshakeResult::Status::done) << transport.failure();
  // What the handshake left on the wire (session tickets) is read raw and
  // dropped: from here on the client's bytes are looked at, not decrypted.
  std::array<char, 16384> raw{};
  while (::read(pair.client_fd, raw.data(), raw.size()) > 0) {
  }

  const std::string path = pki().write_file("small.txt", std::string(1000, 's'));
  auto file = std::make_shared<const net::UniqueFd>(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  proto::Outbox out;
  out.append("HTTP/1.1 200 OK\r\n\r\n");
  out.append_file(file, 0, 1000);
  const model::WriteResult written = transport.write(out);
  ASSERT_EQ(written.status, model::WriteResult::Status::done);
  EXPECT_EQ(written.sent, 19u + 1000u);
  EXPECT_TRUE(out.empty());

  const ssize_t got = ::read(pair.client_fd, raw.data(), raw.size());
  ASSERT_GT(got, 5);
  // One record: type application_data (23), and its length is the whole
  // rest (the plaintext, TLS 1.3's content type byte and a 16-byte tag).
  EXPECT_EQ(static_cast<unsigned char>(raw[0]), 23);
  const std::size_t length = (static_cast<unsigned char>(raw[3]) << 8) |
                             static_cast<unsigned char>(raw[4]);
  EXPECT_EQ(static_cast<std::size_t>(got), 5 + length);
  EXPECT_EQ(length, 19u + 1000u + 1 + 16);
}

TEST(TlsTransport, AFailedHandshakeSaysWhy) {
  Pair pair;
  pair.server.reset();
  model::TlsTransport transport(net::Fd(pair.server_fd), server_context());
  ASSERT_EQ(::write(pair.client_fd, "\x16\x03\x01\x00\x05hello", 10), 10);
  const model::HandshakeResult result = transport.handshake();
  EXPECT_EQ(result.status, model::HandshakeResult::Status::failed);
  EXPECT_EQ(result.error, EPROTO);
  EXPECT_FALSE(transport.failure().empty());
}

}  // namespace
}  // namespace netcook::tls
