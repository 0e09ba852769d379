#include "model/listener_state.hpp"

#include "model/socket_io.hpp"

#include <algorithm>

#include <unistd.h>

namespace netcook::model {

ListenerState::ListenerState(DriverSettings driver_settings, net::Fd listening, proto::Protocol p,
                             int fd_ceiling)
    : settings(std::move(driver_settings)),
      listen_fd(listening),
      protocol(std::move(p)),
      pid(::getpid()),
      count(std::min(settings.limits.max_connections, static_cast<std::size_t>(fd_ceiling)),
            settings.on_drained),
      sources(settings.limits.guards),
      gate(*settings.log, count, sources, protocol, settings.metrics, fd_ceiling) {}

NewConnection ListenerState::setup(net::Fd socket, proto::ConnectionId id, std::string thread,
                                   std::string served_by) {
  Peer peer = prepare_socket(socket);
  ConnectionCore::Setup setup{protocol,
                              settings.limits,
                              *settings.log,
                              settings.listener.name,
                              id,
                              std::move(peer.address),
                              std::move(peer.host),
                              pid,
                              std::move(thread),
                              std::move(served_by),
                              settings.metrics,
                              nullptr,
                              {}};
  if (peer.ip && sources.expects_proxy_header(*peer.ip)) {
    setup.vetting = &gate;
    setup.peer_ip = *peer.ip;
    setup.proxy_header = true;
  }
  if (!settings.tls) return {std::move(setup), nullptr};
  TlsSetup tls = settings.tls->get();
  setup.vetting = &gate;
  setup.handshake_timeout = tls.handshake_timeout;
  return {std::move(setup), std::move(tls.context)};
}

}  // namespace netcook::model
