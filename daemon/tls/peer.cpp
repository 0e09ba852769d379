#include "tls/peer.hpp"

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace netcook::tls {
namespace {

struct FreeBio {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};

}  // namespace

std::string peer_subject(const SSL* ssl) {
  const X509* certificate = SSL_get0_peer_certificate(ssl);
  if (certificate == nullptr) return {};
  const std::unique_ptr<BIO, FreeBio> bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253) < 0) {
    return {};
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string{};
}

std::string protocol_version(const SSL* ssl) {
  return SSL_get_version(ssl);
}

std::string cipher(const SSL* ssl) {
  const SSL_CIPHER* current = SSL_get_current_cipher(ssl);
  return current != nullptr ? SSL_CIPHER_get_name(current) : "";
}

std::string alpn_protocol(const SSL* ssl) {
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl, &data, &length);
  return data != nullptr ? std::string(reinterpret_cast<const char*>(data), length) : std::string{};
}

}  // namespace netcook::tls
