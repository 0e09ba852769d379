#pragma once

// What a finished handshake agreed on, for the logs (TLS_CLIENT_SUBJECT=,
// TLS_VERSION=, TLS_CIPHER=) and for the session (ALPN). The transport
// calls these after SSL_accept has succeeded; before, they read what the
// handshake has got so far (often nothing).

#include <string>

typedef struct ssl_st SSL;  // as OpenSSL's <openssl/types.h> has it

namespace netcook::tls {

// The client certificate's subject, RFC 2253 ("CN=alice,O=netcookd test",
// most specific first, special and non-ASCII bytes escaped); "" when the
// client sent none.
std::string peer_subject(const SSL* ssl);
// "TLSv1.3", "TLSv1.2".
std::string protocol_version(const SSL* ssl);
// OpenSSL's name of the cipher: "TLS_AES_256_GCM_SHA384",
// "ECDHE-ECDSA-AES128-GCM-SHA256"; "" before a cipher is agreed.
std::string cipher(const SSL* ssl);
// The ALPN protocol chosen ("http/1.1"); "" when none was.
std::string alpn_protocol(const SSL* ssl);

}  // namespace netcook::tls
