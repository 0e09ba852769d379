#include "config/tls_reader.hpp"

#include "config/credentials.hpp"
#include "config/values.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace netcook::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

constexpr std::array<std::string_view, 2> kRequiredKeys{"certificate", "key"};
constexpr Duration kMinHandshakeTimeout = milliseconds(100);
constexpr Duration kMaxHandshakeTimeout = minutes(5);

// A file named as credentials.hpp says, that can be read now if it can be
// looked up now. A name's reasons say where it was looked for.
std::optional<CredentialPath> read_file(const Entry& entry, Diagnostics& diagnostics) {
  auto written = read_scalar(entry, diagnostics);
  if (!written) return std::nullopt;
  if (auto problem = credential_name_problem(*written)) {
    report_invalid(entry, *problem, diagnostics);
    return std::nullopt;
  }
  auto file = resolve_credential(std::move(*written));
  if (file.resolved())
    if (auto problem = unreadable_file(file.path)) {
      const bool name = !file.written.starts_with('/');
      report_invalid(entry, name ? file.path + ": " + *problem : *problem, diagnostics);
      return std::nullopt;
    }
  return file;
}

// "1.2" or "1.3"; 1.0 and 1.1 are refused with the reason, not as unknown.
std::optional<TlsVersion> read_version(const Entry& entry, Diagnostics& diagnostics) {
  auto text = read_scalar(entry, diagnostics);
  if (!text) return std::nullopt;
  if (*text == "1.0" || *text == "1.1") {
    report_invalid(entry,
                   "TLS 1.0 and 1.1 are never allowed (RFC 8996 deprecates them); use \"1.2\" or "
                   "\"1.3\"",
                   diagnostics);
    return std::nullopt;
  }
  auto version = find_named(kTlsVersionNames, *text);
  if (!version)
    diagnostics.error(entry.value.Mark(), fmt::format("unknown TLS version '{}'; valid: {}", *text,
                                                      join_names(kTlsVersionNames)));
  return version;
}

bool is_cipher_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// A cipher list as OpenSSL reads it (ciphers(1)): names and aliases joined
// by ':', ',' or spaces, with the operators '!', '-', '+' and '@STRENGTH' /
// '@SECLEVEL=N'. Only the characters are checked here: whether OpenSSL
// knows the names is the daemon's to report (at the tls key).
std::optional<std::string> read_ciphers(const Entry& entry, Diagnostics& diagnostics) {
  auto text = read_scalar(entry, diagnostics);
  if (!text) return std::nullopt;
  const auto bad = std::find_if(text->begin(), text->end(), [](char c) {
    return !is_cipher_char(c) && c != ':' && c != ',' && c != ' ' && c != '!' && c != '+' &&
           c != '@' && c != '=';
  });
  if (bad != text->end()) {
    report_invalid(entry,
                   "a TLS 1.2 cipher list (ciphers(1)) holds names of A-Z, a-z, 0-9, '-' and '_', "
                   "separated by ':', with the operators '!', '+', '-' and '@'",
                   diagnostics);
    return std::nullopt;
  }
  return text;
}

// TLS 1.3 suites: names joined by ':' (TLS_AES_128_GCM_SHA256:...).
std::optional<std::string> read_ciphersuites(const Entry& entry, Diagnostics& diagnostics) {
  auto text = read_scalar(entry, diagnostics);
  if (!text) return std::nullopt;
  const auto in_suites = [](char c) { return is_cipher_char(c) || c == ':'; };
  if (!std::all_of(text->begin(), text->end(), in_suites)) {
    report_invalid(entry,
                   "TLS 1.3 cipher suites are names of A-Z, a-z, 0-9, '-' and '_' separated by ':' "
                   "(TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256)",
                   diagnostics);
    return std::nullopt;
  }
  return text;
}

// ciphers sets what only TLS 1.2 uses; client_ca and verify_client go
// together. A key that would have no effect is an error, as elsewhere in
// the file: it says the writer expects something that would not happen.
// `version` and `verify` are nullopt when absent or invalid (an invalid
// value is reported once, as itself).
void check_combinations(const Section& section, std::optional<TlsVersion> version,
                        std::optional<VerifyClient> verify, Diagnostics& diagnostics) {
  const auto* ciphers = section.find("ciphers");
  if (ciphers != nullptr && version == TlsVersion::v1_3)
    diagnostics.error(ciphers->key_node.Mark(),
                      "'ciphers' applies only to TLS 1.2, which min_version \"1.3\" refuses; "
                      "'ciphersuites' sets TLS 1.3's");
  const auto* client_ca = section.find("client_ca");
  if (client_ca == nullptr && verify && *verify != VerifyClient::none)
    diagnostics.error(section.find("verify_client")->key_node.Mark(),
                      fmt::format("verify_client {} needs 'client_ca': the certificates of the "
                                  "CAs a client's certificate must be issued by",
                                  to_string(*verify)));
  const bool verify_invalid = !verify && section.find("verify_client") != nullptr;
  if (client_ca != nullptr && !verify_invalid &&
      verify.value_or(VerifyClient::none) == VerifyClient::none)
    diagnostics.error(client_ca->key_node.Mark(),
                      "'client_ca' has no effect with verify_client none; set verify_client to "
                      "optional or require");
}

}  // namespace

void read_tls_section(const Entry& entry, std::string_view listener, std::optional<TlsOptions>& tls,
                      Diagnostics& diagnostics) {
  if (!is_mapping(entry, diagnostics)) return;
  const auto owner = fmt::format("section '{}' of {}", entry.key, listener);
  const auto section = read_section(entry.value, kTlsKeys, "in " + owner, diagnostics);
  report_missing(section, kRequiredKeys, entry.key_node.Mark(), owner, diagnostics);

  TlsOptions& options = tls.emplace();
  options.mark = to_mark(entry.key_node.Mark());
  if (const auto* certificate = section.find("certificate"))
    if (auto file = read_file(*certificate, diagnostics)) options.certificate = std::move(*file);
  if (const auto* key = section.find("key"))
    if (auto file = read_file(*key, diagnostics)) options.key = std::move(*file);
  std::optional<TlsVersion> version;
  if (const auto* given = section.find("min_version")) version = read_version(*given, diagnostics);
  if (version) options.min_version = *version;
  if (const auto* ciphers = section.find("ciphers"))
    if (auto text = read_ciphers(*ciphers, diagnostics)) options.ciphers = std::move(*text);
  if (const auto* suites = section.find("ciphersuites"))
    if (auto text = read_ciphersuites(*suites, diagnostics))
      options.ciphersuites = std::move(*text);
  if (const auto* client_ca = section.find("client_ca"))
    options.client_ca = read_file(*client_ca, diagnostics);
  std::optional<VerifyClient> verify;
  if (const auto* given = section.find("verify_client"))
    verify = read_enum(*given, "verify_client", kVerifyClientNames, diagnostics);
  if (verify) options.verify_client = *verify;
  if (const auto* timeout = section.find("handshake_timeout"))
    if (auto value =
            read_duration(*timeout, kMinHandshakeTimeout, kMaxHandshakeTimeout, diagnostics))
      options.handshake_timeout = *value;
  check_combinations(section, version, verify, diagnostics);
}

std::vector<std::string> tls_credentials_unset(const TlsOptions& tls) {
  std::vector<std::string> refusals;
  const auto check = [&](std::string_view key, const CredentialPath& file) {
    if (!file.resolved()) refusals.push_back(credential_unset(key, file.written));
  };
  check("tls.certificate", tls.certificate);
  check("tls.key", tls.key);
  if (tls.client_ca) check("tls.client_ca", *tls.client_ca);
  return refusals;
}

}  // namespace netcook::config
