// tls::Context against real handshakes: an OpenSSL client and the server
// context in one process, over a socketpair, stepped in turn until both
// are done or one fails. Certificates from tests/lib/test_pki.hpp.

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "test_pki.hpp"
#include "tls/context.hpp"
#include "tls/peer.hpp"

namespace netcook::tls {
namespace {

using namespace std::chrono_literals;
using test::CertifiedKey;
using test::TestPki;

// One PKI for the whole suite: making it takes a second.
const TestPki& pki() {
  static const TestPki made;
  return made;
}

Settings settings_for(const CertifiedKey& pair) {
  Settings settings;
  settings.certificate = pair.certificate;
  settings.key = pair.key;
  return settings;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What Context::load threw, or "" when it loaded.
std::string load_error(const Settings& settings) {
  try {
    Context::load(settings);
  } catch (const Error& error) {
    EXPECT_EQ(ERR_peek_error(), 0UL) << "the error queue is left empty";
    return error.what();
  }
  return {};
}

struct FreeCtx {
  void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};
struct FreeSsl {
  void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};
using ClientCtx = std::unique_ptr<SSL_CTX, FreeCtx>;
using SslPtr = std::unique_ptr<SSL, FreeSsl>;

struct ClientOptions {
  int min_version = TLS1_2_VERSION;
  int max_version = 0;  // 0: the highest
  const CertifiedKey* certificate = nullptr;
  std::vector<std::string> alpn{};
  bool verify_server = true;              // against the test CA, for server_name
  std::string server_name = "localhost";  // or an IP address
};

ClientCtx make_client(const ClientOptions& options) {
  ClientCtx ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_min_proto_version(ctx.get(), options.min_version);
  SSL_CTX_set_max_proto_version(ctx.get(), options.max_version);
  if (options.min_version < TLS1_2_VERSION) {
    // Debian's default security level forbids TLS 1.0/1.1 in the client
    // itself: lower it so the client really offers them.
    SSL_CTX_set_security_level(ctx.get(), 0);
    SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT:@SECLEVEL=0");
  }
  if (options.verify_server) {
    EXPECT_EQ(SSL_CTX_load_verify_locations(ctx.get(), pki().ca().certificate.c_str(), nullptr), 1);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  }
  if (options.certificate != nullptr) {
    EXPECT_EQ(
        SSL_CTX_use_certificate_chain_file(ctx.get(), options.certificate->certificate.c_str()), 1);
    EXPECT_EQ(
        SSL_CTX_use_PrivateKey_file(ctx.get(), options.certificate->key.c_str(), SSL_FILETYPE_PEM),
        1);
  }
  if (!options.alpn.empty()) {
    std::vector<unsigned char> wire;
    for (const auto& protocol : options.alpn) {
      wire.push_back(static_cast<unsigned char>(protocol.size()));
      wire.insert(wire.end(), protocol.begin(), protocol.end());
    }
    EXPECT_EQ(SSL_CTX_set_alpn_protos(ctx.get(), wire.data(), static_cast<unsigned>(wire.size())),
              0);
  }
  return ctx;
}

struct Side {
  SslPtr ssl;
  bool done = false;
  bool failed = false;
  std::string error;  // OpenSSL's reason when failed
};

// One step of one side; true while it may still move.
void step(Side& side) {
  if (side.done || side.failed) return;
  const int result = SSL_do_handshake(side.ssl.get());
  if (result == 1) {
    side.done = true;
    return;
  }
  const int error = SSL_get_error(side.ssl.get(), result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
  side.failed = true;
  const unsigned long code = ERR_get_error();
  side.error = code != 0 ? ERR_reason_error_string(code) : "SSL_get_error " + std::to_string(error);
  ERR_clear_error();
}

// A client and a server SSL over a non-blocking socketpair.
class Handshake {
 public:
  Handshake(const Context& server_context, SSL_CTX* client_context,
            const std::string& server_name) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    fds_[0] = fds[0];
    fds_[1] = fds[1];
    server_.ssl.reset(SSL_new(server_context.native()));
    client_.ssl.reset(SSL_new(client_context));
    SSL_set_fd(server_.ssl.get(), fds_[0]);
    SSL_set_fd(client_.ssl.get(), fds_[1]);
    SSL_set_accept_state(server_.ssl.get());
    SSL_set_connect_state(client_.ssl.get());
    const bool is_ip = server_name.find_first_not_of("0123456789.:abcdef") == std::string::npos;
    X509_VERIFY_PARAM* verify = SSL_get0_param(client_.ssl.get());
    EXPECT_EQ(is_ip ? X509_VERIFY_PARAM_set1_ip_asc(verify, server_name.c_str())
                    : X509_VERIFY_PARAM_set1_host(verify, server_name.c_str(), 0),
              1);
  }
  ~Handshake() {
    server_.ssl.reset();
    client_.ssl.reset();
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;

  // Steps both until both are done or one has failed (the other would wait
  // for ever). Bounded: a handshake is a few flights.
  void run() {
    for (int round = 0; round < 100; ++round) {
      step(client_);
      step(server_);
      if ((client_.done && server_.done) || client_.failed || server_.failed) return;
    }
    ADD_FAILURE() << "the handshake did not finish in 100 rounds";
  }

  // TLS 1.3: the client is done before the server has checked its
  // certificate; a refusal reaches it on its first read.
  bool succeeded() const { return client_.done && server_.done; }
  const Side& server() const { return server_; }
  const Side& client() const { return client_; }
  SSL* server_ssl() const { return server_.ssl.get(); }
  SSL* client_ssl() const { return client_.ssl.get(); }

 private:
  int fds_[2] = {-1, -1};
  Side server_;
  Side client_;
};

// The handshake between a context loaded from `settings` and a client.
struct Outcome {
  bool succeeded = false;
  std::string server_error;
  std::string version;
  std::string cipher;
  std::string alpn;
  std::string subject;
  int client_chain_length = 0;
  std::string server_subject;  // as the client read it
};

Outcome handshake(const Settings& settings, const ClientOptions& client_options = {}) {
  const auto context = Context::load(settings);
  const auto client = make_client(client_options);
  Handshake shake(*context, client.get(), client_options.server_name);
  shake.run();
  Outcome outcome;
  outcome.succeeded = shake.succeeded();
  outcome.server_error = shake.server().error;
  if (outcome.succeeded) {
    outcome.version = protocol_version(shake.server_ssl());
    outcome.cipher = cipher(shake.server_ssl());
    outcome.alpn = alpn_protocol(shake.server_ssl());
    outcome.subject = peer_subject(shake.server_ssl());
    const auto* chain = SSL_get_peer_cert_chain(shake.client_ssl());
    outcome.server_subject = peer_subject(shake.client_ssl());
    outcome.client_chain_length = chain != nullptr ? sk_X509_num(chain) : 0;
    EXPECT_EQ(alpn_protocol(shake.client_ssl()), outcome.alpn);
  }
  return outcome;
}

TEST(TlsContext, LoadsAGoodPairAndHandshakesWithTls13) {
  const auto context = Context::load(settings_for(pki().server()));
  ASSERT_NE(context->native(), nullptr);
  const auto outcome = handshake(settings_for(pki().server()));
  ASSERT_TRUE(outcome.succeeded) << outcome.server_error;
  EXPECT_EQ(outcome.version, "TLSv1.3");
  EXPECT_FALSE(outcome.cipher.empty());
  EXPECT_EQ(outcome.subject, "") << "no client certificate";
  EXPECT_EQ(outcome.alpn, "");
}

// The client verifies the name it asked for: every name the tests use.
TEST(TlsContext, TheServerCertificateIsValidForEveryLoopbackName) {
  for (const std::string name : {"localhost", "127.0.0.1", "::1"}) {
    const auto outcome = handshake(settings_for(pki().server()), {.server_name = name});
    EXPECT_TRUE(outcome.succeeded) << name << ": " << outcome.server_error;
  }
  const auto other = handshake(settings_for(pki().server()), {.server_name = "example.org"});
  EXPECT_FALSE(other.succeeded) << "the client checks the name";
}

TEST(TlsContext, TheSecondServerIsAnotherCertificate) {
  const auto first = handshake(settings_for(pki().server()));
  const auto second = handshake(settings_for(pki().second_server()));
  ASSERT_TRUE(second.succeeded) << second.server_error;
  EXPECT_EQ(first.server_subject, "CN=localhost,O=netcookd test");
  EXPECT_EQ(second.server_subject, "CN=localhost,O=netcookd test second");
}

TEST(TlsContext, AnRsaPairLoadsAndServes) {
  const auto outcome = handshake(settings_for(pki().rsa_server()));
  EXPECT_TRUE(outcome.succeeded) << outcome.server_error;
}

TEST(TlsContext, ByDefaultATls12OnlyClientIsServed) {
  const auto outcome = handshake(settings_for(pki().server()), {.max_version = TLS1_2_VERSION});
  ASSERT_TRUE(outcome.succeeded) << outcome.server_error;
  EXPECT_EQ(outcome.version, "TLSv1.2");
}

TEST(TlsContext, MinVersion13RefusesATls12OnlyClient) {
  auto settings = settings_for(pki().server());
  settings.min_version = "1.3";
  const auto outcome = handshake(settings, {.max_version = TLS1_2_VERSION});
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.server_error, "unsupported protocol");
  EXPECT_TRUE(handshake(settings).succeeded) << "a TLS 1.3 client still is";
}

class OldProtocol : public testing::TestWithParam<int> {};

TEST_P(OldProtocol, IsRefusedWhateverTheMinVersion) {
  for (const std::string min_version : {"1.2", "1.3"}) {
    auto settings = settings_for(pki().server());
    settings.min_version = min_version;
    const auto outcome =
        handshake(settings, {.min_version = GetParam(), .max_version = GetParam()});
    EXPECT_FALSE(outcome.succeeded) << "min_version " << min_version;
    EXPECT_EQ(outcome.server_error, "unsupported protocol") << "min_version " << min_version;
  }
}

std::string protocol_name(const testing::TestParamInfo<int>& version) {
  return version.param == TLS1_VERSION ? "Tls10" : "Tls11";
}

INSTANTIATE_TEST_SUITE_P(Tls, OldProtocol, testing::Values(TLS1_VERSION, TLS1_1_VERSION),
                         protocol_name);

TEST(TlsContext, MinVersionsBelow12AreAnError) {
  for (const std::string min_version : {"1.0", "1.1", "", "TLSv1.2"}) {
    auto settings = settings_for(pki().server());
    settings.min_version = min_version;
    EXPECT_EQ(load_error(settings),
              "min_version \"" + min_version +
                  "\": must be \"1.2\" or \"1.3\" (TLS 1.0 and 1.1 are never offered)");
  }
}

TEST(TlsContext, AKeyThatDoesNotMatchItsCertificateNamesBothFiles) {
  auto settings = settings_for(pki().server());
  settings.key = pki().second_server().key;
  EXPECT_EQ(load_error(settings), "key " + settings.key + " does not match certificate " +
                                      settings.certificate + ": key values mismatch");
}

TEST(TlsContext, AKeyOfAnotherTypeDoesNotMatchEither) {
  auto settings = settings_for(pki().server());
  settings.key = pki().rsa_server().key;
  EXPECT_EQ(load_error(settings), "key " + settings.key + " does not match certificate " +
                                      settings.certificate + ": different key types");
}

TEST(TlsContext, AMissingFileIsNamed) {
  auto settings = settings_for(pki().server());
  settings.certificate = pki().dir() + "/absent.pem";
  EXPECT_EQ(load_error(settings),
            "certificate " + settings.certificate + ": No such file or directory");
  settings = settings_for(pki().server());
  settings.key = pki().dir() + "/absent.key";
  EXPECT_EQ(load_error(settings), "key " + settings.key + ": No such file or directory");
}

// load_error(settings) as user nobody when we are root (who reads any
// file), in a child process: its answer comes back through a pipe.
std::string load_error_as_nobody(const Settings& settings) {
  if (::geteuid() != 0) return load_error(settings);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return "pipe failed";
  const pid_t child = ::fork();
  if (child == 0) {
    constexpr uid_t kNobody = 65534;
    std::string answer = "could not become nobody";
    if (::setgroups(0, nullptr) == 0 && ::setresgid(kNobody, kNobody, kNobody) == 0 &&
        ::setresuid(kNobody, kNobody, kNobody) == 0) {
      answer = load_error(settings);
    }
    const auto written = ::write(fds[1], answer.data(), answer.size());
    ::_exit(written == static_cast<ssize_t>(answer.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string answer;
  char buffer[512];
  ssize_t got;
  while ((got = ::read(fds[0], buffer, sizeof buffer)) > 0) answer.append(buffer, got);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return answer;
}

TEST(TlsContext, AnUnreadableKeyIsNamed) {
  const std::string key = pki().write_file("unreadable.key", read_file(pki().server().key));
  ASSERT_EQ(::chmod(key.c_str(), 0), 0);
  // Everything else readable by anyone (nobody, when we are root).
  auto settings = settings_for(pki().server());
  const std::string certificate = pki().write_file("readable.pem", read_file(settings.certificate));
  ASSERT_EQ(::chmod(certificate.c_str(), 0644), 0);
  ASSERT_EQ(::chmod(pki().dir().c_str(), 0755), 0);
  settings.certificate = certificate;
  settings.key = key;
  EXPECT_EQ(load_error_as_nobody(settings), "key " + key + ": Permission denied");
}

TEST(TlsContext, ADirectoryIsNotACertificate) {
  auto settings = settings_for(pki().server());
  settings.certificate = pki().dir();
  EXPECT_EQ(load_error(settings), "certificate " + pki().dir() + ": Is a directory");
  settings = settings_for(pki().server());
  settings.key = pki().dir();
  EXPECT_EQ(load_error(settings), "key " + pki().dir() + ": Is a directory");
}

TEST(TlsContext, AFileThatIsNotPemIsNamed) {
  const std::string junk = pki().write_file("junk.pem", "this is not a certificate\n");
  auto settings = settings_for(pki().server());
  settings.certificate = junk;
  EXPECT_EQ(load_error(settings), "certificate " + junk + ": no start line");
  settings = settings_for(pki().server());
  settings.key = junk;
  EXPECT_EQ(load_error(settings), "key " + junk + ": no PEM private key in it");
}

TEST(TlsContext, AnEncryptedKeyFailsInsteadOfPrompting) {
  const std::string key = pki().dir() + "/encrypted.key";
  pki().openssl(
      {"pkey", "-in", pki().server().key, "-aes128", "-passout", "pass:secret", "-out", key});
  auto settings = settings_for(pki().server());
  settings.key = key;
  EXPECT_EQ(load_error(settings),
            "key " + key +
                ": encrypted with a passphrase, which netcookd cannot ask for "
                "(decrypt it: openssl pkey -in KEY -out PLAIN)");
}

TEST(TlsContext, AChainWithTheCaGoesToTheClient) {
  const auto leaf_only = handshake(settings_for(pki().server()));
  ASSERT_TRUE(leaf_only.succeeded) << leaf_only.server_error;
  EXPECT_EQ(leaf_only.client_chain_length, 1);
  auto settings = settings_for(pki().server());
  settings.certificate = pki().server().chain;
  const auto chained = handshake(settings);
  ASSERT_TRUE(chained.succeeded) << chained.server_error;
  EXPECT_EQ(chained.client_chain_length, 2);
}

TEST(TlsContext, AChainInTheWrongOrderIsAKeyMismatch) {
  const std::string reversed =
      pki().write_file("reversed-chain.pem",
                       read_file(pki().ca().certificate) + read_file(pki().server().certificate));
  auto settings = settings_for(pki().server());
  settings.certificate = reversed;
  EXPECT_EQ(load_error(settings), "key " + settings.key + " does not match certificate " +
                                      reversed + ": key values mismatch");
}

TEST(TlsContext, InvalidCipherSettingsAreAnError) {
  auto settings = settings_for(pki().server());
  settings.ciphers = "NO-SUCH-CIPHER";
  EXPECT_EQ(load_error(settings), "ciphers \"NO-SUCH-CIPHER\": no cipher match");
  settings = settings_for(pki().server());
  settings.ciphersuites = "TLS_NO_SUCH_SUITE";
  EXPECT_EQ(load_error(settings), "ciphersuites \"TLS_NO_SUCH_SUITE\": no cipher match");
}

TEST(TlsContext, CipherSettingsAreWhatIsNegotiated) {
  auto settings = settings_for(pki().server());
  settings.ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305";
  settings.ciphersuites = "TLS_CHACHA20_POLY1305_SHA256";
  const auto tls12 = handshake(settings, {.max_version = TLS1_2_VERSION});
  ASSERT_TRUE(tls12.succeeded) << tls12.server_error;
  EXPECT_EQ(tls12.cipher, "ECDHE-ECDSA-CHACHA20-POLY1305");
  const auto tls13 = handshake(settings);
  ASSERT_TRUE(tls13.succeeded) << tls13.server_error;
  EXPECT_EQ(tls13.cipher, "TLS_CHACHA20_POLY1305_SHA256");
}

Settings requiring_clients(VerifyClient verify) {
  auto settings = settings_for(pki().server());
  settings.client_ca = pki().ca().certificate;
  settings.verify_client = verify;
  return settings;
}

// Under TLS 1.3 the server checks the client's certificate after the
// client is done: the server's side says whether it was refused.
TEST(TlsContext, RequiredClientCertificateRefusesAClientWithout) {
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    const auto outcome =
        handshake(requiring_clients(VerifyClient::require), {.max_version = version});
    EXPECT_FALSE(outcome.succeeded) << version;
    EXPECT_EQ(outcome.server_error, "peer did not return a certificate") << version;
  }
}

TEST(TlsContext, RequiredClientCertificateServesAliceAndNamesHer) {
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    const auto outcome = handshake(requiring_clients(VerifyClient::require),
                                   {.max_version = version, .certificate = &pki().client()});
    ASSERT_TRUE(outcome.succeeded) << version << ": " << outcome.server_error;
    EXPECT_EQ(outcome.subject, "CN=alice,O=netcookd test");
  }
}

TEST(TlsContext, RequiredClientCertificateRefusesAnExpiredOne) {
  const auto outcome =
      handshake(requiring_clients(VerifyClient::require), {.certificate = &pki().expired()});
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.server_error, "certificate verify failed");
}

TEST(TlsContext, OptionalClientCertificateServesBoth) {
  const auto without = handshake(requiring_clients(VerifyClient::optional));
  ASSERT_TRUE(without.succeeded) << without.server_error;
  EXPECT_EQ(without.subject, "");
  const auto with =
      handshake(requiring_clients(VerifyClient::optional), {.certificate = &pki().client()});
  ASSERT_TRUE(with.succeeded) << with.server_error;
  EXPECT_EQ(with.subject, "CN=alice,O=netcookd test");
}

struct FreeSession {
  void operator()(SSL_SESSION* session) const noexcept { SSL_SESSION_free(session); }
};

// The server's session cache, under TLS 1.2 (whose session is the client's
// as soon as the handshake is done), with a client certificate: resuming
// needs the context's session id context, or the server fails it.
TEST(TlsContext, ASessionWithAClientCertificateIsResumed) {
  const auto context = Context::load(requiring_clients(VerifyClient::require));
  const auto client = make_client({.max_version = TLS1_2_VERSION, .certificate = &pki().client()});
  std::unique_ptr<SSL_SESSION, FreeSession> session;
  {
    Handshake first(*context, client.get(), "localhost");
    first.run();
    ASSERT_TRUE(first.succeeded()) << first.server().error;
    EXPECT_FALSE(SSL_session_reused(first.server_ssl()));
    session.reset(SSL_get1_session(first.client_ssl()));
    ASSERT_NE(session, nullptr);
    // An SSL freed without sending close_notify has its session struck
    // off as "bad" (on both sides): the transport must shut down first.
    SSL_shutdown(first.client_ssl());
    SSL_shutdown(first.server_ssl());
  }
  Handshake second(*context, client.get(), "localhost");
  ASSERT_EQ(SSL_set_session(second.client_ssl(), session.get()), 1);
  second.run();
  ASSERT_TRUE(second.succeeded()) << second.server().error;
  EXPECT_TRUE(SSL_session_reused(second.server_ssl()));
  EXPECT_EQ(peer_subject(second.server_ssl()), "CN=alice,O=netcookd test")
      << "a resumed session still names its client";
}

TEST(TlsContext, VerifyingClientsNeedsAClientCa) {
  auto settings = settings_for(pki().server());
  settings.verify_client = VerifyClient::require;
  EXPECT_EQ(load_error(settings),
            "verify_client: needs client_ca, the CA that signs the clients' certificates");
  settings.client_ca = pki().dir() + "/absent-ca.pem";
  EXPECT_EQ(load_error(settings),
            "client_ca " + settings.client_ca + ": No such file or directory");
}

TEST(TlsContext, AlpnPicksTheServersProtocol) {
  auto settings = settings_for(pki().server());
  settings.alpn = {"http/1.1"};
  const auto outcome = handshake(settings, {.alpn = {"h2", "http/1.1"}});
  ASSERT_TRUE(outcome.succeeded) << outcome.server_error;
  EXPECT_EQ(outcome.alpn, "http/1.1");
}

TEST(TlsContext, AlpnWithoutOverlapIsNoAlpnNotAFailure) {
  auto settings = settings_for(pki().server());
  settings.alpn = {"http/1.1"};
  const auto other = handshake(settings, {.alpn = {"h2"}});
  ASSERT_TRUE(other.succeeded) << other.server_error;
  EXPECT_EQ(other.alpn, "");
  const auto none = handshake(settings);
  ASSERT_TRUE(none.succeeded) << none.server_error;
  EXPECT_EQ(none.alpn, "");
  const auto server_without = handshake(settings_for(pki().server()), {.alpn = {"http/1.1"}});
  ASSERT_TRUE(server_without.succeeded) << server_without.server_error;
  EXPECT_EQ(server_without.alpn, "");
}

TEST(TlsContext, AnEmptyAlpnNameIsAnError) {
  auto settings = settings_for(pki().server());
  settings.alpn = {""};
  EXPECT_EQ(load_error(settings), "alpn \"\": a protocol name is 1 to 255 bytes");
}

TEST(TlsContext, ExpiryWarnings) {
  const auto now = std::chrono::system_clock::now();
  const auto fresh = Context::load(settings_for(pki().server()));
  EXPECT_EQ(expiry_warning(*fresh, now), std::nullopt);

  const auto expiring = Context::load(settings_for(pki().expiring()));
  const auto warning = expiry_warning(*expiring, now);
  ASSERT_TRUE(warning.has_value());
  EXPECT_EQ(
      warning->rfind("certificate " + pki().expiring().certificate + " expires in 10 days (", 0),
      0U)
      << *warning;

  const auto expired = Context::load(settings_for(pki().expired()));
  EXPECT_EQ(expired->certificate_expiry(), std::chrono::system_clock::from_time_t(1580515200))
      << "notAfter 2020-02-01T00:00:00Z";
  EXPECT_EQ(expiry_warning(*expired, now),
            "certificate " + pki().expired().certificate + " expired on 2020-02-01");
}

TEST(TlsContext, ExpiryWarningWindowIs30Days) {
  const auto context = Context::load(settings_for(pki().expired()));
  const auto expiry = context->certificate_expiry();
  const std::string path = pki().expired().certificate;
  EXPECT_EQ(expiry_warning(*context, expiry - std::chrono::days(31)), std::nullopt);
  EXPECT_EQ(expiry_warning(*context, expiry - std::chrono::days(30)),
            "certificate " + path + " expires in 30 days (2020-02-01)");
  EXPECT_EQ(expiry_warning(*context, expiry - std::chrono::days(12)),
            "certificate " + path + " expires in 12 days (2020-02-01)");
  EXPECT_EQ(expiry_warning(*context, expiry - std::chrono::hours(30)),
            "certificate " + path + " expires in 1 day (2020-02-01)");
  EXPECT_EQ(expiry_warning(*context, expiry - std::chrono::hours(3)),
            "certificate " + path + " expires within a day (2020-02-01)");
  EXPECT_EQ(expiry_warning(*context, expiry), "certificate " + path + " expired on 2020-02-01");
}

}  // namespace
}  // namespace netcook::tls
