#pragma once

// The validated configuration: plain structs, filled by load_config()
// (loader.hpp) from /etc/netcookd.yaml. Everything here has passed every
// check; code above this layer never validates again.

#include "net/address.hpp"
#include "net/cidr.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace netcook::config {

using Duration = std::chrono::milliseconds;

enum class LogLevel { trace, debug, info, warn, error };
enum class LogTarget { automatic, journal, stderr_ };
enum class Protocol { echo, chat, http };
enum class Model { fork, thread, select, epoll, coroutine, io_uring };
enum class EchoMode { raw, line };
enum class TlsVersion { v1_2, v1_3 };
enum class VerifyClient { none, optional, require };

struct LogOptions {
  LogLevel level = LogLevel::info;
  LogTarget target = LogTarget::automatic;
  bool operator==(const LogOptions&) const = default;
};

// A rate: `count` events per `period` ("20/s", "600/m"); count 0 is
// unlimited.
struct Rate {
  std::uint32_t count = 0;
  Duration period = std::chrono::seconds(1);

  bool unlimited() const noexcept { return count == 0; }
  bool operator==(const Rate&) const = default;
};

// A token bucket: `rate` tokens a `period` flow in, up to `burst` held.
struct TokenRate {
  Rate rate;                // unlimited: no bucket
  std::uint32_t burst = 0;  // >= 1 when rate is set
  bool operator==(const TokenRate&) const = default;
};

// Who may connect and how often: the accept gate's rules, checked in this
// order after the PROXY header (when the peer is in proxy_from): deny and
// allow, max_connections_per_source, connection_rate, then
// max_connections. Unix-socket peers are not filtered by address.
struct Guards {
  std::vector<net::Cidr> allow;  // empty: every address not denied
  std::vector<net::Cidr> deny;
  // Open connections from one source; 0 is unlimited. A source is an IPv4
  // address, or an IPv6 address's first source_prefix_v6 bits.
  std::size_t max_connections_per_source = 0;
  unsigned source_prefix_v6 = 64;
  // New connections per source (connection_rate: {per_source, burst}).
  TokenRate connection_rate;
  // proxy_protocol: {from}: peers that must start with a PROXY header (v1
  // or v2), whose address then stands for the peer's everywhere.
  std::vector<net::Cidr> proxy_from;
  bool operator==(const Guards&) const = default;
};

// Limits every model enforces; `defaults:` sets them for all listeners and
// a listener may override any of them.
struct Limits {
  std::size_t max_connections = 1024;
  Duration idle_timeout = std::chrono::minutes(5);
  // A line or request that has started arriving must complete within this
  // (slowloris defence).
  Duration read_timeout = std::chrono::seconds(30);
  Duration shutdown_timeout = std::chrono::seconds(10);
  // Bytes queued for a client that is not reading before the driver stops
  // reading from it (backpressure).
  std::size_t max_outbox = 256 * 1024;
  // A connection's end is logged at info (with its journal fields), not at
  // debug.
  bool log_connections = false;
  Guards guards;
  bool operator==(const Limits&) const = default;
};

struct EchoOptions {
  EchoMode mode = EchoMode::raw;
  // Line mode: put before each echoed line; {pid} {thread} {listener} {peer}.
  std::string prefix;
  std::size_t max_line = 64 * 1024;
  bool operator==(const EchoOptions&) const = default;
};

// Where a chat room shared by several daemons is kept: a Redis server
// (chat.bus in netcookd.yaml(5)), `redis://HOST[:PORT][/DB]` or
// `redis+unix:///PATH[?db=DB]`.
struct BusEndpoint {
  enum class Kind { tcp, unix_socket };
  Kind kind = Kind::tcp;
  std::string host;          // tcp: a name or an address (no brackets)
  std::uint16_t port = 6379;  // tcp
  std::string path;          // unix_socket: absolute
  unsigned db = 0;
  // The URL as written (it never holds a password), for logs and status.
  std::string url;
  bool operator==(const BusEndpoint&) const = default;
};

struct ChatOptions {
  std::size_t max_line = 4 * 1024;
  // A member whose unsent output would exceed this is disconnected; defaults
  // to the listener's limits.max_outbox.
  std::size_t max_outbox = 256 * 1024;
  // Defaults to the listener's limits.max_connections.
  std::size_t max_members = 1024;
  // Flood control: lines a member may send; over it, the member's socket is
  // not read until tokens are back (slowed, never cut off, nothing lost).
  TokenRate flood{Rate{10, std::chrono::seconds(1)}, 50};
  // The room's name on the bus; defaults to the listener's name. Daemons
  // whose listeners name the same room on the same bus share it.
  std::string room;
  // Absent: a room of this listener alone, as without Redis.
  std::optional<BusEndpoint> bus;
  // A file holding the bus's password (never the YAML): absolute, or
  // relative to $CREDENTIALS_DIRECTORY (LoadCredential=); empty: none.
  std::string bus_password_file;
  // Lines of the room replayed to a new member after its welcome; 0: none.
  std::size_t history = 20;
  // A daemon that stops renewing its presence this long is taken for dead:
  // the others announce its members as left and free their names.
  Duration presence_ttl = std::chrono::seconds(15);
  // How long the bus rides out an outage: lines typed meanwhile are queued
  // and published afterwards; past it, they are dropped (their authors are
  // told) until the link is back.
  Duration bus_outage = std::chrono::seconds(30);
  // Requests queued while the link is down, at most (past it, a line is
  // dropped and its author told).
  std::size_t bus_queue = 10000;
  // A Redis reply later than this: the link is taken for lost and made anew.
  Duration bus_timeout = std::chrono::seconds(5);
  bool operator==(const ChatOptions&) const = default;
};

struct HttpOptions {
  // Exactly one of body, root and status: a fixed response, files under
  // root, or the daemon's figures (metrics, status.json, the status page).
  std::string body = "Hello from Epoll Server!\n";
  std::string root;  // an absolute directory; empty: serve `body`
  std::string content_type = "text/plain; charset=utf-8";  // of `body`
  std::string index = "index.html";  // served for a directory under root
  std::size_t max_header = 16 * 1024;   // request line + header fields
  std::size_t max_body = 1024 * 1024;   // request bodies, read and discarded
  // A request head must arrive within this (slowloris): 408.
  Duration header_timeout = std::chrono::seconds(10);
  // An idle keep-alive connection is closed after this.
  Duration keepalive_timeout = std::chrono::seconds(30);
  bool access_log = false;  // one log line per request
  bool status = false;      // serve the daemon's figures instead of body or root
  bool operator==(const HttpOptions&) const = default;
};

// Where something was written in the file, for messages about it.
struct Mark {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

// A file named by an absolute path or by a credential's name
// (credentials.hpp): "tls-cert" is $CREDENTIALS_DIRECTORY/tls-cert.
struct CredentialPath {
  std::string written;  // as in netcookd.yaml, for messages and reload logs
  // Where to read it: absolute. Empty when `written` is a credential's
  // name and $CREDENTIALS_DIRECTORY was unset at load (--check-config in a
  // shell): the daemon refuses to serve with it (credential_unset()).
  std::string path;

  bool resolved() const noexcept { return !path.empty(); }
  bool operator==(const CredentialPath&) const = default;
};

// tls: of a listener (netcookd.yaml(5), TLS). The loader checked that each
// file exists and can be read (absolute paths always, credentials' names
// when $CREDENTIALS_DIRECTORY is set), not what they hold: the daemon loads
// them with OpenSSL (tls/) and reports OpenSSL's reason at `mark`.
struct TlsOptions {
  CredentialPath certificate;  // PEM: the certificate, then its chain
  CredentialPath key;          // PEM: the certificate's private key
  TlsVersion min_version = TlsVersion::v1_2;  // 1.0 and 1.1: never
  std::string ciphers;       // TLS 1.2 cipher list; empty: OpenSSL's default
  std::string ciphersuites;  // TLS 1.3 suites; empty: OpenSSL's default
  // CAs a client certificate must chain to; written (non-empty) exactly
  // when verify_client is optional or require.
  std::optional<CredentialPath> client_ca;
  VerifyClient verify_client = VerifyClient::none;
  // A handshake must complete within this once the connection is accepted
  // (after any PROXY header).
  Duration handshake_timeout = std::chrono::seconds(10);
  // Of the listener's `tls` key: where a reload or --check-config reports
  // that OpenSSL refused a file ("FILE:LINE:COLUMN: ...").
  Mark mark;

  // Every setting but the mark: a tls section moved by an edit above it is
  // the same section.
  bool operator==(const TlsOptions& other) const {
    return certificate == other.certificate && key == other.key &&
           min_version == other.min_version && ciphers == other.ciphers &&
           ciphersuites == other.ciphersuites && client_ca == other.client_ca &&
           verify_client == other.verify_client && handshake_timeout == other.handshake_timeout;
  }
};

struct Listener {
  std::string name;
  Protocol protocol = Protocol::echo;
  Model model = Model::epoll;
  net::Address listen;
  unsigned workers = 1;  // epoll, coroutine and io_uring only
  Limits limits;
  EchoOptions echo;
  ChatOptions chat;
  HttpOptions http;
  // Absent: plain TCP (or a plain unix socket).
  std::optional<TlsOptions> tls;
  Mark mark;  // of the list item; not part of equality
  // Of the `model` value: where the daemon says a model cannot run here
  // (io_uring disabled). Not part of equality.
  Mark model_mark;

  // Two listeners are the same when a reload need not restart them.
  // Whether it speaks TLS is compared (a port that turns TLS on or off
  // speaks something else: restarted), not its tls section's settings: a
  // reload gives a running TLS listener's new connections the new
  // settings (a new context) while open connections keep theirs and the
  // listener keeps its socket. See tls_changed(); the daemon reloads the
  // files on every SIGHUP even when the settings are the same, since a
  // renewed certificate usually keeps its path.
  bool same_settings(const Listener& other) const {
    return name == other.name && protocol == other.protocol &&
           model == other.model && listen == other.listen &&
           workers == other.workers && limits == other.limits &&
           echo == other.echo && chat == other.chat && http == other.http &&
           tls.has_value() == other.tls.has_value();
  }
};

// Whether a reload changes a listener's TLS settings (added, removed, or a
// key of its tls section; not its mark). same_settings() compares only
// whether there is a tls section.
inline bool tls_changed(const Listener& before, const Listener& after) {
  return before.tls != after.tls;
}

struct Config {
  std::string path;
  LogOptions log;
  Limits defaults;
  std::vector<Listener> listeners;
};

// Names as written in the file.
const char* to_string(LogLevel);
const char* to_string(LogTarget);
const char* to_string(Protocol);
const char* to_string(Model);
const char* to_string(EchoMode);
const char* to_string(TlsVersion);   // "1.2", "1.3"
const char* to_string(VerifyClient);

}  // namespace netcook::config
