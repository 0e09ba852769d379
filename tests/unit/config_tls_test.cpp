// A listener's tls: section in the configuration file (certificate, key,
// min_version, ciphers, ciphersuites, client_ca, verify_client,
// handshake_timeout): values, defaults, credentials' names under
// $CREDENTIALS_DIRECTORY, and every error at its line and column. What the
// files hold is not the loader's to judge (the daemon loads them with
// OpenSSL): here they hold any text.

#include "config/loader.hpp"
#include "config/tls_reader.hpp"
#include "config_files.hpp"

#include <fmt/format.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace netcook::config {
namespace {

using namespace std::chrono_literals;
using testing::ElementsAre;
using testing::HasSubstr;

using namespace files;

// cert.pem, key.pem and ca.pem (not empty), an empty file and a folder, in
// a private directory removed after.
class TlsFiles {
 public:
  TlsFiles() {
    std::string pattern = (std::filesystem::temp_directory_path() / "netcook-tls-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
    dir_ = pattern;
    for (const char* name : {"cert.pem", "key.pem", "ca.pem"})
      std::ofstream(dir_ / name) << "-----BEGIN " << name << "-----\n";
    std::ofstream(dir_ / "empty.pem");
    std::filesystem::create_directory(dir_ / "folder");
  }
  ~TlsFiles() { std::filesystem::remove_all(dir_); }
  TlsFiles(const TlsFiles&) = delete;
  TlsFiles& operator=(const TlsFiles&) = delete;

  std::string dir() const { return dir_.string(); }
  std::string path(const char* name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

// The listener of config_files.hpp with `tls:` on line 6, certificate on
// line 7, key on line 8 and `extra` from line 9, indented by six spaces.
std::string tls_with(const std::string& certificate, const std::string& key,
                     std::string_view extra = "") {
  return with("    tls:\n      certificate: " + certificate + "\n      key: " + key + "\n" +
              std::string(extra));
}

class TlsConfig : public testing::Test {
 protected:
  std::string valid(std::string_view extra = "") const {
    return tls_with(files_.path("cert.pem"), files_.path("key.pem"), extra);
  }
  TlsOptions tls_of(std::string_view extra = "") const {
    const auto config = load(valid(extra));
    if (config.listeners.empty() || !config.listeners[0].tls) {
      ADD_FAILURE() << "no tls";
      return {};
    }
    return *config.listeners[0].tls;
  }

  CredentialsDirectory credentials_;  // unset unless a test sets it
  TlsFiles files_;
};

// ---- values --------------------------------------------------------------

TEST_F(TlsConfig, NoSectionIsPlain) {
  EXPECT_EQ(load(kListener).listeners.at(0).tls, std::nullopt);
}

TEST_F(TlsConfig, Defaults) {
  const auto tls = tls_of();
  EXPECT_EQ(tls.certificate, (CredentialPath{files_.path("cert.pem"), files_.path("cert.pem")}));
  EXPECT_EQ(tls.key, (CredentialPath{files_.path("key.pem"), files_.path("key.pem")}));
  EXPECT_EQ(tls.min_version, TlsVersion::v1_2);
  EXPECT_EQ(tls.ciphers, "");
  EXPECT_EQ(tls.ciphersuites, "");
  EXPECT_EQ(tls.client_ca, std::nullopt);
  EXPECT_EQ(tls.verify_client, VerifyClient::none);
  EXPECT_EQ(tls.handshake_timeout, 10s);
  // The tls key's place, for the daemon's messages about the files.
  EXPECT_EQ(tls.mark.line, 6);
  EXPECT_EQ(tls.mark.column, 5);
  EXPECT_TRUE(tls_credentials_unset(tls).empty());
}

TEST_F(TlsConfig, EveryKey) {
  const auto tls = tls_of(
      "      min_version: \"1.3\"\n"
      "      ciphersuites: TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\n"
      "      client_ca: " +
      files_.path("ca.pem") +
      "\n      verify_client: require\n"
      "      handshake_timeout: 1m30s\n");
  EXPECT_EQ(tls.min_version, TlsVersion::v1_3);
  EXPECT_EQ(tls.ciphersuites, "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
  EXPECT_EQ(tls.client_ca, (CredentialPath{files_.path("ca.pem"), files_.path("ca.pem")}));
  EXPECT_EQ(tls.verify_client, VerifyClient::require);
  EXPECT_EQ(tls.handshake_timeout, 90s);

  const auto twelve = tls_of(
      "      min_version: 1.2\n"  // unquoted, as YAML reads it: the text 1.2
      "      ciphers: ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE+AESGCM:!aNULL:!MD5 @SECLEVEL=2\n"
      "      client_ca: " +
      files_.path("ca.pem") + "\n      verify_client: optional\n");
  EXPECT_EQ(twelve.min_version, TlsVersion::v1_2);
  EXPECT_EQ(twelve.ciphers, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE+AESGCM:!aNULL:!MD5 @SECLEVEL=2");
  EXPECT_EQ(twelve.verify_client, VerifyClient::optional);
  // Written empty: OpenSSL's defaults, as when left out.
  EXPECT_EQ(tls_of("      ciphers: ''\n      ciphersuites: ''\n").ciphers, "");
  EXPECT_EQ(tls_of("      verify_client: none\n").verify_client, VerifyClient::none);
}

TEST_F(TlsConfig, HandshakeTimeoutBounds) {
  EXPECT_EQ(tls_of("      handshake_timeout: 100ms\n").handshake_timeout, 100ms);
  EXPECT_EQ(tls_of("      handshake_timeout: 5m\n").handshake_timeout, 5min);
}

TEST_F(TlsConfig, OnEveryProtocolAndOnAUnixSocket) {
  for (const char* protocol : {"echo", "chat", "http"}) {
    const auto config =
        load(fmt::format(R"(listeners:
  - name: secure
    protocol: {}
    model: thread
    listen: unix:/run/netcookd-test.sock
    tls: {{certificate: {}, key: {}}}
)",
                         protocol, files_.path("cert.pem"), files_.path("key.pem")));
    ASSERT_EQ(config.listeners.size(), 1u) << protocol;
    EXPECT_TRUE(config.listeners[0].tls) << protocol;
  }
}

TEST_F(TlsConfig, OnePemForBoth) {
  const auto tls = load(tls_with(files_.path("cert.pem"), files_.path("cert.pem")))
                       .listeners.at(0)
                       .tls.value_or(TlsOptions{});
  EXPECT_EQ(tls.key.path, files_.path("cert.pem"));
}

// ---- credentials ---------------------------------------------------------

TEST_F(TlsConfig, ANameIsACredentialLookedUpWhenTheDirectoryIsSet) {
  // The files of TlsFiles under their own names: cert.pem, key.pem, ca.pem.
  credentials_.set(files_.dir());
  const auto tls = load(tls_with("cert.pem", "key.pem",
                                 "      client_ca: ca.pem\n      verify_client: require\n"))
                       .listeners.at(0)
                       .tls.value_or(TlsOptions{});
  EXPECT_EQ(tls.certificate, (CredentialPath{"cert.pem", files_.path("cert.pem")}));
  EXPECT_EQ(tls.key, (CredentialPath{"key.pem", files_.path("key.pem")}));
  EXPECT_EQ(tls.client_ca, (CredentialPath{"ca.pem", files_.path("ca.pem")}));
  EXPECT_TRUE(tls_credentials_unset(tls).empty());
  // A trailing '/' on the directory makes no double one.
  credentials_.set(files_.dir() + "/");
  EXPECT_EQ(load(tls_with("cert.pem", "key.pem")).listeners.at(0).tls->key.path,
            files_.path("key.pem"));
}

TEST_F(TlsConfig, ANameIsNotCheckedWithoutTheDirectoryAndTheDaemonRefusesIt) {
  // --check-config in an operator's shell: the credential cannot be seen.
  const auto tls = load(tls_with("tls-cert", files_.path("key.pem"),
                                 "      client_ca: tls-ca\n      verify_client: optional\n"))
                       .listeners.at(0)
                       .tls.value_or(TlsOptions{});
  EXPECT_EQ(tls.certificate, (CredentialPath{"tls-cert", ""}));
  EXPECT_FALSE(tls.certificate.resolved());
  EXPECT_TRUE(tls.key.resolved());
  EXPECT_THAT(tls_credentials_unset(tls),
              ElementsAre("tls.certificate 'tls-cert' is relative, but $CREDENTIALS_DIRECTORY is "
                          "not set: load it with LoadCredential=tls-cert:PATH in the daemon's "
                          "unit, or write an absolute path",
                          HasSubstr("tls.client_ca 'tls-ca' is relative")));
}

// ---- errors --------------------------------------------------------------

TEST_F(TlsConfig, RequiredKeys) {
  EXPECT_THAT(errors(with("    tls:\n")),
              ElementsAre("test.yaml:6:5: section 'tls' of listener 'echo' is missing required "
                          "key 'certificate'",
                          "test.yaml:6:5: section 'tls' of listener 'echo' is missing required "
                          "key 'key'"));
  EXPECT_THAT(errors(with("    tls: {}\n")),
              ElementsAre(HasSubstr("6:5: section 'tls' of listener 'echo' is missing required "
                                    "key 'certificate'"),
                          HasSubstr("6:5: section 'tls' of listener 'echo' is missing required "
                                    "key 'key'")));
  EXPECT_THAT(errors(with("    tls: {key: " + files_.path("key.pem") + "}\n")),
              ElementsAre("test.yaml:6:5: section 'tls' of listener 'echo' is missing required "
                          "key 'certificate'"));
  EXPECT_THAT(errors(with("    tls: on\n")),
              ElementsAre("test.yaml:6:10: 'tls' must be a mapping, not a scalar"));
}

TEST_F(TlsConfig, MisspeltKeysAreSuggested) {
  EXPECT_THAT(
      errors(with("    tls:\n      certficate: " + files_.path("cert.pem") +
                  "\n      key: " + files_.path("key.pem") + "\n")),
      ElementsAre("test.yaml:7:7: unknown key 'certficate' in section 'tls' of listener 'echo'; "
                  "did you mean 'certificate'?",
                  "test.yaml:7:7: section 'tls' of listener 'echo' is missing required key "
                  "'certificate' ('certficate' above looks like a misspelling of it)"));
  EXPECT_THAT(errors(valid("      handshake_timout: 5s\n")),
              ElementsAre("test.yaml:9:7: unknown key 'handshake_timout' in section 'tls' of "
                          "listener 'echo'; did you mean 'handshake_timeout'?"));
  EXPECT_THAT(errors(with("    tsl: {}\n")),
              ElementsAre("test.yaml:6:5: unknown key 'tsl' in listener 'echo'; did you mean "
                          "'tls'?"));
}

TEST_F(TlsConfig, Files) {
  const auto missing = files_.path("missing.pem");
  EXPECT_THAT(errors(tls_with(missing, files_.path("key.pem"))),
              ElementsAre("test.yaml:7:20: invalid value '" + missing +
                          "' for 'certificate': No such file or directory"));
  EXPECT_THAT(errors(tls_with(files_.path("cert.pem"), files_.path("folder"))),
              ElementsAre("test.yaml:8:12: invalid value '" + files_.path("folder") +
                          "' for 'key': not a regular file"));
  EXPECT_THAT(errors(tls_with(files_.path("cert.pem"), files_.path("empty.pem"))),
              ElementsAre("test.yaml:8:12: invalid value '" + files_.path("empty.pem") +
                          "' for 'key': empty"));
  EXPECT_THAT(errors(tls_with("tls/cert.pem", files_.path("key.pem"))),
              ElementsAre("test.yaml:7:20: invalid value 'tls/cert.pem' for 'certificate': a "
                          "relative name is a credential in $CREDENTIALS_DIRECTORY "
                          "(LoadCredential=) and holds no '/'; write an absolute path for a file "
                          "elsewhere"));
  EXPECT_THAT(errors(tls_with("''", files_.path("key.pem"))),
              ElementsAre("test.yaml:7:20: invalid value '' for 'certificate': must not be "
                          "empty"));
  EXPECT_THAT(errors(tls_with(files_.path("cert.pem"), "[a, b]")),
              ElementsAre("test.yaml:8:12: 'key' must be a scalar, not a sequence"));
  EXPECT_THAT(errors(valid("      client_ca: " + missing + "\n      verify_client: require\n")),
              ElementsAre("test.yaml:9:18: invalid value '" + missing +
                          "' for 'client_ca': No such file or directory"));
  // A credential's reason says where it was looked for.
  credentials_.set(files_.dir());
  EXPECT_THAT(errors(tls_with("tls-cert", "key.pem")),
              ElementsAre("test.yaml:7:20: invalid value 'tls-cert' for 'certificate': " +
                          files_.path("tls-cert") + ": No such file or directory"));
}

TEST_F(TlsConfig, MinVersion) {
  for (const char* old : {"1.0", "\"1.1\""})
    EXPECT_THAT(errors(valid(std::string("      min_version: ") + old + "\n")),
                ElementsAre(testing::MatchesRegex(
                    "test\\.yaml:9:20: invalid value '1\\.[01]' for 'min_version': TLS 1\\.0 and "
                    "1\\.1 are never allowed \\(RFC 8996 deprecates them\\); use \"1\\.2\" or "
                    "\"1\\.3\"")));
  EXPECT_THAT(errors(valid("      min_version: TLSv1.3\n")),
              ElementsAre("test.yaml:9:20: unknown TLS version 'TLSv1.3'; valid: 1.2, 1.3"));
  EXPECT_THAT(errors(valid("      min_version:\n")),
              ElementsAre("test.yaml:9:7: 'min_version' needs a value"));
}

TEST_F(TlsConfig, Ciphers) {
  EXPECT_THAT(errors(valid("      ciphers: \"AES128;reboot\"\n")),
              ElementsAre("test.yaml:9:16: invalid value 'AES128;reboot' for 'ciphers': a TLS 1.2 "
                          "cipher list (ciphers(1)) holds names of A-Z, a-z, 0-9, '-' and '_', "
                          "separated by ':', with the operators '!', '+', '-' and '@'"));
  EXPECT_THAT(errors(valid("      ciphersuites: TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384\n")),
              ElementsAre("test.yaml:9:21: invalid value 'TLS_AES_128_GCM_SHA256 "
                          "TLS_AES_256_GCM_SHA384' for 'ciphersuites': TLS 1.3 cipher suites are "
                          "names of A-Z, a-z, 0-9, '-' and '_' separated by ':' "
                          "(TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256)"));
  // TLS 1.2's list under a floor of 1.3 would never be used.
  EXPECT_THAT(errors(valid("      min_version: \"1.3\"\n      ciphers: HIGH\n")),
              ElementsAre("test.yaml:10:7: 'ciphers' applies only to TLS 1.2, which min_version "
                          "\"1.3\" refuses; 'ciphersuites' sets TLS 1.3's"));
}

TEST_F(TlsConfig, ClientCertificates) {
  for (const char* verify : {"optional", "require"})
    EXPECT_THAT(errors(valid(std::string("      verify_client: ") + verify + "\n")),
                ElementsAre(std::string("test.yaml:9:7: verify_client ") + verify +
                            " needs 'client_ca': the certificates of the CAs a client's "
                            "certificate must be issued by"));
  const auto ca = "      client_ca: " + files_.path("ca.pem") + "\n";
  const std::string no_effect =
      "test.yaml:9:7: 'client_ca' has no effect with verify_client none; set verify_client to "
      "optional or require";
  EXPECT_THAT(errors(valid(ca)), ElementsAre(no_effect));
  EXPECT_THAT(errors(valid(ca + "      verify_client: none\n")), ElementsAre(no_effect));
  // An unknown word is reported once, as itself.
  EXPECT_THAT(errors(valid(ca + "      verify_client: sometimes\n")),
              ElementsAre("test.yaml:10:22: unknown verify_client 'sometimes'; valid: none, "
                          "optional, require"));
  EXPECT_THAT(errors(valid("      verify_client: sometimes\n")),
              ElementsAre("test.yaml:9:22: unknown verify_client 'sometimes'; valid: none, "
                          "optional, require"));
}

TEST_F(TlsConfig, HandshakeTimeoutErrors) {
  EXPECT_THAT(errors(valid("      handshake_timeout: 99ms\n")),
              ElementsAre("test.yaml:9:26: value '99ms' for 'handshake_timeout' is out of range "
                          "100ms..5m"));
  EXPECT_THAT(errors(valid("      handshake_timeout: 5m1s\n")),
              ElementsAre("test.yaml:9:26: value '5m1s' for 'handshake_timeout' is out of range "
                          "100ms..5m"));
  EXPECT_THAT(errors(valid("      handshake_timeout: 10\n")),
              ElementsAre(testing::StartsWith("test.yaml:9:26: invalid value '10' for "
                                              "'handshake_timeout': ")));
}

TEST_F(TlsConfig, NotInDefaults) {
  EXPECT_THAT(errors("defaults:\n  tls: {}\n" + std::string(kListener)),
              ElementsAre(HasSubstr("test.yaml:2:3: unknown key 'tls'")));
}

}  // namespace
}  // namespace netcook::config
