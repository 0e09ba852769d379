#pragma once

// A listener's TLS configuration made into an OpenSSL server context.
//
// This folder is the only code that includes <openssl/...>: the types below
// name OpenSSL's structs only through the forward declarations, so the
// layers above (model, server, config) compile without OpenSSL's headers.
//
// A Context is immutable once loaded and shared as
// std::shared_ptr<const Context>: a reload (SIGHUP) makes a new one for new
// connections while open ones keep theirs. Whoever holds an SSL made from
// native() must also hold the shared_ptr for as long as that SSL lives: the
// ALPN callback reads the Context's protocol list.

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;  // as OpenSSL's <openssl/types.h> has it

namespace netcook::tls {

// Whether (and how hard) a client must show a certificate signed by
// Settings::client_ca.
enum class VerifyClient {
  none,      // never asked for
  optional,  // asked for; one that does not verify fails the handshake
  require,   // asked for; a client without one fails the handshake
};

// What one listener's `tls` key says, paths already resolved.
struct Settings {
  std::string certificate;          // PEM: the leaf first, then its intermediates
  std::string key;                  // PEM, unencrypted
  std::string min_version = "1.2";  // "1.2" or "1.3": 1.0 and 1.1 never
  std::string ciphers;              // TLS 1.2 cipher list; empty: OpenSSL's default
  std::string ciphersuites;         // TLS 1.3 suites; empty: OpenSSL's default
  std::string client_ca;            // PEM CA certificate(s); empty: none
  VerifyClient verify_client = VerifyClient::none;
  // ALPN protocols the server accepts, preferred first ({"http/1.1"});
  // empty: no ALPN. A client whose list has none of them gets no ALPN (the
  // handshake goes on).
  std::vector<std::string> alpn;

  // A reload compares them: same settings, same files, maybe new contents.
  bool operator==(const Settings&) const = default;
};

// A Settings that cannot be made into a context: what() names the file (or
// the setting) and OpenSSL's reason, e.g. "key /x/key.pem does not match
// certificate /x/cert.pem: key values mismatch".
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Context {
  struct Passkey {};

 public:
  // Reads the files and checks them (key matches certificate, settings
  // valid). Throws Error. Leaves OpenSSL's error queue empty.
  static std::shared_ptr<const Context> load(const Settings& settings);

  Context(Passkey, const Settings& settings);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // The server context, for SSL_new(). Not owned by the caller; valid while
  // this Context lives (SSL_new takes its own reference on it).
  SSL_CTX* native() const { return ctx_.get(); }
  const Settings& settings() const { return settings_; }
  // The leaf certificate's notAfter.
  std::chrono::system_clock::time_point certificate_expiry() const { return expiry_; }

 private:
  struct FreeCtx {
    void operator()(SSL_CTX* ctx) const noexcept;
  };

  void configure_protocol();
  void load_pair();
  void configure_client_verification();
  void configure_alpn();

  Settings settings_;
  std::unique_ptr<SSL_CTX, FreeCtx> ctx_;
  // settings_.alpn in ALPN wire format (length-prefixed), for the callback.
  std::vector<unsigned char> alpn_wire_;
  std::chrono::system_clock::time_point expiry_{};
};

// How many days before the notAfter a certificate is warned about.
inline constexpr std::chrono::days kExpiryWarningWindow{30};

// A warning when the certificate expires within kExpiryWarningWindow of
// `now` ("certificate /x/cert.pem expires in 12 days (2026-12-19)") or has
// expired ("certificate /x/cert.pem expired on 2026-11-30"); nothing
// otherwise. Dates are UTC.
std::optional<std::string> expiry_warning(const Context& context,
                                          std::chrono::system_clock::time_point now);

}  // namespace netcook::tls
