#pragma once

// A private PKI for one test, made with the `openssl` command line in its
// own temporary directory (removed by the destructor):
//   - a CA (ECDSA P-256, "CN=netcookd test CA");
//   - server certificates (365 days) for 127.0.0.1, ::1 and localhost
//     (subjectAltName), signed by it: server(), second_server() (another
//     key and serial, for reload tests), expiring() (10 days left),
//     expired() (notAfter 2020-02-01), rsa_server() (RSA-2048);
//   - a client certificate, "O=netcookd test, CN=alice" (clientAuth;
//     RFC 2253: "CN=alice,O=netcookd test").
// Every openssl command is bounded in time; one that fails or overruns
// throws std::runtime_error with its command line and its output.
//
// Needs `openssl` in $PATH (Debian: openssl). Not thread-safe: make and
// use one TestPki from one thread (openssl() shares its output files).

#include <chrono>
#include <string>
#include <vector>

namespace netcook::test {

// A certificate and its key, PEM files in the PKI's directory.
struct CertifiedKey {
  std::string certificate;  // the leaf alone
  std::string key;          // unencrypted
  std::string chain;        // the leaf, then the CA certificate
};

class TestPki {
 public:
  // Makes everything (a second or so). Throws std::runtime_error.
  explicit TestPki(std::chrono::milliseconds command_timeout = std::chrono::seconds(30));
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& dir() const { return dir_; }
  const CertifiedKey& ca() const { return ca_; }  // chain: the CA alone
  const CertifiedKey& server() const { return server_; }
  const CertifiedKey& second_server() const { return second_server_; }
  const CertifiedKey& expiring() const { return expiring_; }
  const CertifiedKey& expired() const { return expired_; }
  const CertifiedKey& rsa_server() const { return rsa_server_; }
  const CertifiedKey& client() const { return client_; }

  // Writes `text` to a new file in dir() and returns its path (for broken
  // or hand-made fixtures: a non-PEM certificate, a mismatched chain).
  std::string write_file(const std::string& name, const std::string& text) const;

  // Runs `openssl ARGS...` in dir(), bounded by the command timeout;
  // returns its stdout. Throws std::runtime_error with its output when it
  // fails.
  std::string openssl(const std::vector<std::string>& args) const;

 private:
  enum class KeyType { ec_p256, rsa_2048 };
  struct Leaf {
    std::string name;
    std::string subject;
    std::string extensions;
    KeyType key_type = KeyType::ec_p256;
    int days = 365;
  };

  std::string make_key(const std::string& name, KeyType type) const;
  void make_ca();
  CertifiedKey make_leaf(const Leaf& leaf) const;
  CertifiedKey make_expired() const;
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  std::chrono::milliseconds command_timeout_;
  std::string openssl_path_;
  std::string dir_;
  CertifiedKey ca_;
  CertifiedKey server_;
  CertifiedKey second_server_;
  CertifiedKey expiring_;
  CertifiedKey expired_;
  CertifiedKey rsa_server_;
  CertifiedKey client_;
};

}  // namespace netcook::test
