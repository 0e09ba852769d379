#pragma once

// A listener's `tls:` section (netcookd.yaml(5), TLS): certificate and key
// (required), min_version, ciphers, ciphersuites, client_ca,
// verify_client, handshake_timeout. It is per listener only: `defaults:`
// takes none of it, since a listener is plain unless it says otherwise.

#include "config/config.hpp"
#include "config/section.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::config {

// In netcookd.yaml(5)'s order.
inline constexpr std::array<std::string_view, 8> kTlsKeys{
    "certificate",  "key",       "min_version",   "ciphers",
    "ciphersuites", "client_ca", "verify_client", "handshake_timeout"};

// Reads `tls:` (`entry`) into `tls`, marked at the `tls` key; `listener`
// names the listener in messages ("listener 'x'"). Every problem is
// reported; `tls` is left empty only when the value is not a mapping. The
// files named are checked as readable regular files that are not empty:
// absolute paths always, credentials' names when $CREDENTIALS_DIRECTORY is
// set (credentials.hpp). What they hold is not looked at here.
void read_tls_section(const Entry& entry, std::string_view listener, std::optional<TlsOptions>& tls,
                      Diagnostics& diagnostics);

// The files of `tls` named by a credential's name that could not be looked
// up at load ($CREDENTIALS_DIRECTORY unset), each as the daemon's refusal
// ("tls.key 'tls-key' is relative, but $CREDENTIALS_DIRECTORY is not set:
// ..."); empty when every file has a path. The daemon refuses to start (or
// a reload to apply) a listener with any; --check-config cannot check them.
std::vector<std::string> tls_credentials_unset(const TlsOptions& tls);

}  // namespace netcook::config
