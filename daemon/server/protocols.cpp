#include "server/protocols.hpp"

#include "bus/redis_room.hpp"
#include "config/bus_password.hpp"
#include "config/units.hpp"
#include "proto/chat/chat.hpp"
#include "proto/echo.hpp"
#include "proto/http/http.hpp"
#include "proto/http/site.hpp"
#include "proto/http/status_site.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace netcook::server {
namespace {

// Echo has no framing to carry a message: a refused echo client just sees
// the connection close, and echo needs no shared state.
proto::Protocol make_echo(const config::Listener& listener) {
  proto::EchoSettings settings{listener.echo.mode == config::EchoMode::line, listener.echo.prefix,
                               listener.echo.max_line};
  proto::Protocol protocol;
  protocol.make_session = [settings](const proto::SessionContext& context) {
    return proto::make_echo_session(settings, context);
  };
  return protocol;
}

// The link of a room shared over a bus, made in the process that runs the
// room (the driver's, or the fork master's), with the password read there
// (from the file, never the YAML).
bus::RoomSettings room_settings(const config::Listener& listener) {
  const config::ChatOptions& chat = listener.chat;
  bus::RoomSettings settings;
  settings.room = chat.room.empty() ? listener.name : chat.room;
  settings.link.endpoint = *chat.bus;
  settings.link.password = config::read_bus_password(chat);
  settings.link.timeout = chat.bus_timeout;
  settings.max_members = chat.max_members;
  settings.history = chat.history;
  settings.presence_ttl = chat.presence_ttl;
  settings.outage = chat.bus_outage;
  settings.queue = chat.bus_queue;
  return settings;
}

// One room per listener: the driver makes the hub once and every session
// reaches it through its Uplink. With a bus, the room is shared with the
// other daemons on it, its link running on `home`. A client refused at
// max_connections gets a line saying so, in the protocol's own error form.
proto::Protocol make_chat(const config::Listener& listener, event::Loop* home) {
  const proto::chat::ChatSettings settings{listener.chat.max_line, listener.chat.max_members,
                                           config::format_duration(listener.limits.idle_timeout),
                                           config::format_duration(listener.limits.read_timeout),
                                           listener.chat.history};
  proto::Protocol protocol;
  protocol.make_session = [settings](const proto::SessionContext& context) {
    return proto::chat::make_chat_session(settings, context);
  };
  if (!listener.chat.bus) {
    protocol.make_service = [settings](const proto::ServiceContext& context) {
      return proto::chat::make_chat_hub(settings, context);
    };
  } else {
    if (home == nullptr)
      throw std::invalid_argument(fmt::format(
          "listener '{}': a chat room shared over a bus needs an event loop", listener.name));
    protocol.make_service = [settings, listener, home](const proto::ServiceContext& context) {
      auto log = context.log != nullptr ? std::make_shared<spdlog::logger>(*context.log)
                                        : std::make_shared<spdlog::logger>("chat-bus");
      bus::RoomSettings room = room_settings(listener);
      room.metrics = context.metrics;
      return proto::chat::make_chat_hub(settings, context,
                                        bus::make_redis_room(*home, std::move(room), std::move(log)));
    };
  }
  protocol.refusal = "! server full; try again later\n";
  protocol.source_refusal = "! too many connections from your address\n";
  protocol.rate_refusal = "! too many connections from your address; try again later\n";
  // Flood control: lines a member may send; over it, its socket is not read
  // until tokens are back.
  const config::TokenRate& flood = listener.chat.flood;
  if (!flood.rate.unlimited())
    protocol.input_rate = {flood.rate.count, flood.rate.period, flood.burst};
  return protocol;
}

// The site (fixed response, root directory or the daemon's figures) is
// prepared once; every connection shares it. A client refused at
// max_connections gets a 503.
std::shared_ptr<const proto::http::Site> make_site(const config::Listener& listener,
                                                   const proto::http::HttpSettings& settings,
                                                   const metrics::Arena* arena) {
  if (!listener.http.status) return proto::http::make_site(settings);
  if (arena == nullptr)
    throw std::invalid_argument(
        fmt::format("listener '{}': a status listener needs the daemon's figures", listener.name));
  return proto::http::make_status_site(settings, *arena);
}

// A whole response for a client refused at accept, sent before anything
// is read: "429 Too Many Requests: too many connections from your address".
std::string http_refusal(std::string_view status, std::string_view why) {
  const std::string body = fmt::format("{}: {}\n", status, why);
  return fmt::format(
      "HTTP/1.1 {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n"
      "Connection: close\r\nRetry-After: 1\r\n\r\n{}",
      status, body.size(), body);
}

proto::Protocol make_http(const config::Listener& listener, const metrics::Arena* arena) {
  const auto& options = listener.http;
  proto::http::HttpSettings settings;
  settings.limits.max_head = options.max_header;
  settings.limits.max_target = std::min<std::size_t>(8 * 1024, options.max_header);
  settings.max_body = options.max_body;
  settings.body = options.body;
  settings.content_type = options.content_type;
  settings.root = options.root;
  settings.index = options.index;
  settings.access_log = options.access_log;
  auto site = make_site(listener, settings, arena);
  proto::Protocol protocol;
  protocol.make_session = [site](const proto::SessionContext& context) {
    return proto::http::make_http_session(site, context);
  };
  protocol.after_fork = [site] { site->after_fork(); };
  protocol.refusal = http_refusal("503 Service Unavailable", "server is full");
  protocol.source_refusal =
      http_refusal("503 Service Unavailable", "too many connections from your address");
  protocol.rate_refusal =
      http_refusal("429 Too Many Requests", "too many connections from your address");
  return protocol;
}

proto::Protocol protocol_of(const config::Listener& listener, const metrics::Arena* arena,
                            event::Loop* home) {
  switch (listener.protocol) {
    case config::Protocol::echo:
      return make_echo(listener);
    case config::Protocol::chat:
      return make_chat(listener, home);
    case config::Protocol::http:
      return make_http(listener, arena);
  }
  throw std::invalid_argument(
      fmt::format("unknown protocol {}", static_cast<int>(listener.protocol)));
}

}  // namespace

proto::Protocol make_protocol(const config::Listener& listener, const metrics::Arena* arena,
                              event::Loop* home) {
  proto::Protocol protocol = protocol_of(listener, arena, home);
  if (listener.tls) {
    // A refusal goes out before any handshake, where a TLS client could
    // only take it for a broken ClientHello answer: a plain close says it
    // better.
    protocol.refusal.clear();
    protocol.source_refusal.clear();
    protocol.rate_refusal.clear();
  }
  return protocol;
}

config::Limits driver_limits(const config::Listener& listener) {
  config::Limits limits = listener.limits;
  if (listener.protocol == config::Protocol::chat) limits.max_outbox = listener.chat.max_outbox;
  if (listener.protocol == config::Protocol::http) {
    // A request head must arrive within header_timeout; a connection
    // between requests may idle for keepalive_timeout.
    limits.read_timeout = listener.http.header_timeout;
    limits.idle_timeout = listener.http.keepalive_timeout;
  }
  return limits;
}

}  // namespace netcook::server
