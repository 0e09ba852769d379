#include "model/tls_setup.hpp"

#include "config/tls_reader.hpp"

namespace netcook::model {

tls::Settings tls_settings(const config::Listener& listener) {
  const config::TlsOptions& options = *listener.tls;
  tls::Settings settings;
  settings.certificate = options.certificate.path;
  settings.key = options.key.path;
  settings.min_version = config::to_string(options.min_version);
  settings.ciphers = options.ciphers;
  settings.ciphersuites = options.ciphersuites;
  if (options.client_ca) settings.client_ca = options.client_ca->path;
  switch (options.verify_client) {
    case config::VerifyClient::none:
      settings.verify_client = tls::VerifyClient::none;
      break;
    case config::VerifyClient::optional:
      settings.verify_client = tls::VerifyClient::optional;
      break;
    case config::VerifyClient::require:
      settings.verify_client = tls::VerifyClient::require;
      break;
  }
  // Clients that offer ALPN (browsers, curl) are told it is HTTP/1.1, not
  // h2; echo and chat have no registered name and take what comes.
  if (listener.protocol == config::Protocol::http) settings.alpn = {"http/1.1"};
  return settings;
}

TlsSetup load_tls(const config::Listener& listener) {
  const config::TlsOptions& options = *listener.tls;
  if (const auto unset = config::tls_credentials_unset(options); !unset.empty())
    throw tls::Error(unset.front());
  return {tls::Context::load(tls_settings(listener)), options.handshake_timeout};
}

}  // namespace netcook::model
