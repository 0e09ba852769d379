#include "server/protocols.hpp"

#include "proto/echo.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace netcook::server {
namespace {

// Echo has no framing to carry a message: a refused echo client just sees
// the connection close, and echo needs no shared state.
proto::Protocol make_echo(const config::Listener& listener) {
  proto::EchoSettings settings{listener.echo.mode == config::EchoMode::line,
                               listener.echo.prefix, listener.echo.max_line};
  proto::Protocol protocol;
  protocol.make_session = [settings](const proto::SessionContext& context) {
    return proto::make_echo_session(settings, context);
  };
  return protocol;
}

}  // namespace

proto::Protocol make_protocol(const config::Listener& listener) {
  switch (listener.protocol) {
    case config::Protocol::echo:
      return make_echo(listener);
    case config::Protocol::chat:
    case config::Protocol::http:
      break;
  }
  throw std::invalid_argument(fmt::format("the {} protocol is not available yet",
                                          config::to_string(listener.protocol)));
}

}  // namespace netcook::server
