#include "config/listener_changes.hpp"

#include "config/units.hpp"

#include <fmt/format.h>

namespace netcook::config {
namespace {

std::string shown(const std::string& text) {
  return fmt::format("\"{}\"", text);
}
std::string shown(Duration duration) {
  return format_duration(duration);
}
std::string shown(bool flag) {
  return flag ? "true" : "false";
}
std::string shown(const net::Address& address) {
  return address.to_string();
}
// "[10.0.0.0/8, ::1/128]", "[]".
std::string shown(const std::vector<net::Cidr>& networks) {
  std::string text = "[";
  for (const auto& network : networks) {
    if (text.size() > 1) text += ", ";
    text += net::to_string(network);
  }
  return text + "]";
}
// "20/s burst 40", "unlimited".
std::string shown(const TokenRate& bucket) {
  if (bucket.rate.unlimited()) return "unlimited";
  return fmt::format("{} burst {}", format_rate(bucket.rate), bucket.burst);
}
// The URL as written (it never holds a password), or "none": a local room.
std::string shown(const std::optional<BusEndpoint>& bus) {
  return bus ? bus->url : "none";
}
// A TLS file as written: its path, or its credential's name.
std::string shown(const CredentialPath& file) {
  return file.written;
}
std::string shown(const std::optional<CredentialPath>& file) {
  return file ? file->written : "none";
}
template <typename Enum>
requires std::is_enum_v<Enum> std::string shown(Enum value) {
  return to_string(value);
}

// Collects "NAME BEFORE -> AFTER" for the settings that differ.
class Changes {
 public:
  template <typename Value>
  void compare(const char* name, const Value& before, const Value& after) {
    if (!(before == after))
      list_.push_back(fmt::format("{} {} -> {}", name, shown(before), shown(after)));
  }
  // Sizes and counts share a type: the caller says which.
  void compare_size(const char* name, std::size_t before, std::size_t after) {
    if (before != after)
      list_.push_back(fmt::format("{} {} -> {}", name, format_size(before), format_size(after)));
  }
  void compare_count(const char* name, std::size_t before, std::size_t after) {
    if (before != after) list_.push_back(fmt::format("{} {} -> {}", name, before, after));
  }
  // A count where 0 means no limit.
  void compare_limit(const char* name, std::size_t before, std::size_t after) {
    const auto text = [](std::size_t count) {
      return count == 0 ? std::string("unlimited") : std::to_string(count);
    };
    if (before != after)
      list_.push_back(fmt::format("{} {} -> {}", name, text(before), text(after)));
  }
  void note(bool differs, const char* what) {
    if (differs) list_.emplace_back(what);
  }

  std::vector<std::string> take() { return std::move(list_); }

 private:
  std::vector<std::string> list_;
};

// A listener that gains or loses TLS is said to, without the section's
// keys; otherwise each key that differs. Files are named as written: a
// certificate's or a key's path says nothing secret.
void compare_tls(Changes& changes, const std::optional<TlsOptions>& before,
                 const std::optional<TlsOptions>& after) {
  if (!before && !after) return;
  if (!before || !after) {
    changes.note(true, before ? "tls on -> off" : "tls off -> on");
    return;
  }
  changes.compare("tls.certificate", before->certificate, after->certificate);
  changes.compare("tls.key", before->key, after->key);
  changes.compare("tls.min_version", before->min_version, after->min_version);
  changes.compare("tls.ciphers", before->ciphers, after->ciphers);
  changes.compare("tls.ciphersuites", before->ciphersuites, after->ciphersuites);
  changes.compare("tls.client_ca", before->client_ca, after->client_ca);
  changes.compare("tls.verify_client", before->verify_client, after->verify_client);
  changes.compare("tls.handshake_timeout", before->handshake_timeout, after->handshake_timeout);
}

}  // namespace

std::vector<std::string> listener_changes(const Listener& before, const Listener& after) {
  Changes changes;
  changes.compare("protocol", before.protocol, after.protocol);
  changes.compare("model", before.model, after.model);
  changes.compare("listen", before.listen, after.listen);
  changes.compare_count("workers", before.workers, after.workers);

  const Limits& a = before.limits;
  const Limits& b = after.limits;
  changes.compare_count("max_connections", a.max_connections, b.max_connections);
  changes.compare("idle_timeout", a.idle_timeout, b.idle_timeout);
  changes.compare("read_timeout", a.read_timeout, b.read_timeout);
  changes.compare("shutdown_timeout", a.shutdown_timeout, b.shutdown_timeout);
  changes.compare_size("max_outbox", a.max_outbox, b.max_outbox);
  changes.compare("log_connections", a.log_connections, b.log_connections);
  const Guards& g = a.guards;
  const Guards& h = b.guards;
  changes.compare("allow", g.allow, h.allow);
  changes.compare("deny", g.deny, h.deny);
  changes.compare_limit("max_connections_per_source", g.max_connections_per_source,
                        h.max_connections_per_source);
  changes.compare_count("source_prefix_v6", g.source_prefix_v6, h.source_prefix_v6);
  changes.compare("connection_rate", g.connection_rate, h.connection_rate);
  changes.compare("proxy_protocol.from", g.proxy_from, h.proxy_from);

  changes.compare("echo.mode", before.echo.mode, after.echo.mode);
  changes.compare("echo.prefix", before.echo.prefix, after.echo.prefix);
  changes.compare_size("echo.max_line", before.echo.max_line, after.echo.max_line);

  changes.compare_size("chat.max_line", before.chat.max_line, after.chat.max_line);
  changes.compare_size("chat.max_outbox", before.chat.max_outbox, after.chat.max_outbox);
  changes.compare_count("chat.max_members", before.chat.max_members, after.chat.max_members);
  changes.compare("chat.rate", before.chat.flood, after.chat.flood);
  const ChatOptions& c = before.chat;
  const ChatOptions& d = after.chat;
  changes.compare("chat.room", c.room, d.room);
  changes.compare_count("chat.history", c.history, d.history);
  changes.compare("chat.bus", c.bus, d.bus);
  // A file's name may say where a secret is kept: said to differ, like a body.
  changes.note(c.bus_password_file != d.bus_password_file, "chat.bus_password_file changed");
  changes.compare("chat.presence_ttl", c.presence_ttl, d.presence_ttl);
  changes.compare("chat.bus_outage", c.bus_outage, d.bus_outage);
  changes.compare_count("chat.bus_queue", c.bus_queue, d.bus_queue);
  changes.compare("chat.bus_timeout", c.bus_timeout, d.bus_timeout);

  const HttpOptions& x = before.http;
  const HttpOptions& y = after.http;
  changes.note(x.body != y.body, "http.body changed");
  changes.compare("http.root", x.root, y.root);
  changes.compare("http.content_type", x.content_type, y.content_type);
  changes.compare("http.index", x.index, y.index);
  changes.compare_size("http.max_header", x.max_header, y.max_header);
  changes.compare_size("http.max_body", x.max_body, y.max_body);
  changes.compare("http.header_timeout", x.header_timeout, y.header_timeout);
  changes.compare("http.keepalive_timeout", x.keepalive_timeout, y.keepalive_timeout);
  changes.compare("http.access_log", x.access_log, y.access_log);
  changes.compare("http.status", x.status, y.status);

  compare_tls(changes, before.tls, after.tls);
  return changes.take();
}

}  // namespace netcook::config
