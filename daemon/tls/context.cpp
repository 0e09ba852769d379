#include "tls/context.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <sys/stat.h>

#include <cstdint>
#include <ctime>
#include <memory>

#include <fmt/format.h>

#include "tls/openssl_error.hpp"

namespace netcook::tls {
namespace {

using detail::take_openssl_reason;

// Sessions resumed with a client certificate need an id context; any
// constant does (one server, one context per listener).
constexpr unsigned char kSessionIdContext[] = "netcookd";

int min_protocol(const std::string& version) {
  if (version == "1.2") return TLS1_2_VERSION;
  if (version == "1.3") return TLS1_3_VERSION;
  throw Error(fmt::format(
      "min_version \"{}\": must be \"1.2\" or \"1.3\" (TLS 1.0 and 1.1 are never offered)",
      version));
}

// OpenSSL reads a directory as an empty file ("no start line").
void refuse_directory(const char* what, const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode)) {
    throw Error(fmt::format("{} {}: Is a directory", what, path));
  }
}

// An encrypted key must fail to load, never prompt on a terminal; the
// flag says it was asked for.
int no_passphrase(char*, int, int, void* asked) {
  *static_cast<bool*>(asked) = true;
  return 0;
}

struct FreeKey {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct FreeBio {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};

std::unique_ptr<EVP_PKEY, FreeKey> read_key(const std::string& path) {
  const std::unique_ptr<BIO, FreeBio> file(BIO_new_file(path.c_str(), "r"));
  std::unique_ptr<EVP_PKEY, FreeKey> key;
  bool passphrase_asked = false;
  if (file) {
    key.reset(PEM_read_bio_PrivateKey(file.get(), nullptr, no_passphrase, &passphrase_asked));
  }
  if (key) return key;
  if (passphrase_asked) {
    ERR_clear_error();
    throw Error(
        fmt::format("key {}: encrypted with a passphrase, which netcookd cannot ask for "
                    "(decrypt it: openssl pkey -in KEY -out PLAIN)",
                    path));
  }
  // OpenSSL 3's decoders say only "unsupported" when no decoder could
  // read the file.
  const unsigned long cause = ERR_peek_error();
  if (file && ERR_GET_LIB(cause) == ERR_LIB_OSSL_DECODER &&
      ERR_GET_REASON(cause) == ERR_R_UNSUPPORTED) {
    ERR_clear_error();
    throw Error(fmt::format("key {}: no PEM private key in it", path));
  }
  throw Error(fmt::format("key {}: {}", path, take_openssl_reason("no PEM private key in it")));
}

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* time,
                                                    const std::string& path) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    throw Error(fmt::format("certificate {}: unreadable notAfter: {}", path,
                            take_openssl_reason("bad time")));
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::vector<unsigned char> alpn_wire_format(const std::vector<std::string>& protocols) {
  std::vector<unsigned char> wire;
  for (const auto& protocol : protocols) {
    if (protocol.empty() || protocol.size() > 255) {
      throw Error(fmt::format("alpn \"{}\": a protocol name is 1 to 255 bytes", protocol));
    }
    wire.push_back(static_cast<unsigned char>(protocol.size()));
    wire.insert(wire.end(), protocol.begin(), protocol.end());
  }
  return wire;
}

// Picks the server's first protocol the client also offers. No overlap is
// no ALPN, not a failed handshake: clients such as `openssl s_client -alpn
// x` still get served, as they would without ALPN.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length,
                const unsigned char* client, unsigned int client_length, void* arg) {
  const auto& server = *static_cast<const std::vector<unsigned char>*>(arg);
  unsigned char* chosen = nullptr;
  unsigned char chosen_length = 0;
  if (SSL_select_next_proto(&chosen, &chosen_length, server.data(),
                            static_cast<unsigned int>(server.size()), client,
                            client_length) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  *out_length = chosen_length;
  return SSL_TLSEXT_ERR_OK;
}

// "2026-12-19", in UTC.
std::string utc_date(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

}  // namespace

void Context::FreeCtx::operator()(SSL_CTX* ctx) const noexcept {
  SSL_CTX_free(ctx);
}

std::shared_ptr<const Context> Context::load(const Settings& settings) {
  try {
    return std::make_shared<const Context>(Passkey{}, settings);
  } catch (...) {
    ERR_clear_error();  // whatever a failed step left behind
    throw;
  }
}

Context::Context(Passkey, const Settings& settings)
    : settings_(settings), ctx_(SSL_CTX_new(TLS_server_method())) {
  if (!ctx_) throw Error("SSL_CTX_new: " + take_openssl_reason());
  configure_protocol();
  load_pair();
  configure_client_verification();
  configure_alpn();
}

Context::~Context() = default;

void Context::configure_protocol() {
  SSL_CTX* ctx = ctx_.get();
  SSL_CTX_set_min_proto_version(ctx, min_protocol(settings_.min_version));
  std::uint64_t options = SSL_OP_NO_RENEGOTIATION;
#ifdef SSL_OP_ENABLE_KTLS
  options |= SSL_OP_ENABLE_KTLS;  // taken only where the kernel offers it
#endif
  SSL_CTX_set_options(ctx, options);
  // Non-blocking sockets: a write may be partial and retried from an
  // outbox that has moved. An idle connection gives its record buffers
  // back (about 34 KiB each; a chat listener holds many idle members).
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  // A record is read in one read(2), not its 5-byte header and then its
  // body: a keep-alive request over TLS 1.3 took 3.6 system calls, now
  // 3.0 (strace -c, wrk -c10). The pump reads until OpenSSL says
  // WANT_READ, so nothing it read ahead is left waiting for readiness.
  // (Kernel TLS, which this is for, is only used to send.)
  SSL_CTX_set_read_ahead(ctx, 1);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1);
  if (!settings_.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, settings_.ciphers.c_str()) != 1) {
    throw Error(fmt::format("ciphers \"{}\": {}", settings_.ciphers, take_openssl_reason()));
  }
  if (!settings_.ciphersuites.empty() &&
      SSL_CTX_set_ciphersuites(ctx, settings_.ciphersuites.c_str()) != 1) {
    throw Error(
        fmt::format("ciphersuites \"{}\": {}", settings_.ciphersuites, take_openssl_reason()));
  }
}

void Context::load_pair() {
  SSL_CTX* ctx = ctx_.get();
  const std::string& certificate = settings_.certificate;
  const std::string& key = settings_.key;
  if (certificate.empty()) throw Error("certificate: no file given");
  if (key.empty()) throw Error("key: no file given");
  refuse_directory("certificate", certificate);
  refuse_directory("key", key);
  if (SSL_CTX_use_certificate_chain_file(ctx, certificate.c_str()) != 1) {
    throw Error(fmt::format("certificate {}: {}", certificate, take_openssl_reason()));
  }
  // Checked here rather than by SSL_CTX_use_PrivateKey: OpenSSL keeps a
  // key of another type (RSA beside an ECDSA certificate) in a slot of its
  // own and would only say "no certificate assigned".
  const std::unique_ptr<EVP_PKEY, FreeKey> private_key = read_key(key);
  if (X509_check_private_key(SSL_CTX_get0_certificate(ctx), private_key.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, private_key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    throw Error(fmt::format("key {} does not match certificate {}: {}", key, certificate,
                            take_openssl_reason()));
  }
  expiry_ = to_time_point(X509_get0_notAfter(SSL_CTX_get0_certificate(ctx)), certificate);
}

void Context::configure_client_verification() {
  SSL_CTX* ctx = ctx_.get();
  const std::string& ca = settings_.client_ca;
  if (ca.empty()) {
    if (settings_.verify_client != VerifyClient::none) {
      throw Error("verify_client: needs client_ca, the CA that signs the clients' certificates");
    }
    return;
  }
  refuse_directory("client_ca", ca);
  if (SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) {
    throw Error(fmt::format("client_ca {}: {}", ca, take_openssl_reason()));
  }
  // The names sent in the CertificateRequest, so a client can pick.
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str());
  if (names == nullptr) {
    throw Error(fmt::format("client_ca {}: {}", ca, take_openssl_reason("no certificate in it")));
  }
  SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
  int mode = SSL_VERIFY_NONE;
  if (settings_.verify_client == VerifyClient::optional) mode = SSL_VERIFY_PEER;
  if (settings_.verify_client == VerifyClient::require) {
    mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  }
  SSL_CTX_set_verify(ctx, mode, nullptr);
}

void Context::configure_alpn() {
  alpn_wire_ = alpn_wire_format(settings_.alpn);
  if (alpn_wire_.empty()) return;
  SSL_CTX_set_alpn_select_cb(ctx_.get(), select_alpn, &alpn_wire_);
}

std::optional<std::string> expiry_warning(const Context& context,
                                          std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const auto expiry = context.certificate_expiry();
  const auto& path = context.settings().certificate;
  const std::string day = utc_date(expiry);
  if (expiry <= now) {
    return fmt::format("certificate {} expired on {}", path, day);
  }
  if (expiry - now > kExpiryWarningWindow) return std::nullopt;
  // Rounded to the nearest day: one made for 10 days reads "10 days".
  const auto left = duration_cast<days>(expiry - now + hours{12}).count();
  if (left == 0) return fmt::format("certificate {} expires within a day ({})", path, day);
  return fmt::format("certificate {} expires in {} day{} ({})", path, left, left == 1 ? "" : "s",
                     day);
}

}  // namespace netcook::tls
