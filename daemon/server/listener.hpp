#pragma once

// A running listener: its configuration, its listening socket and the
// driver serving it. The socket is shared so that a listener restarted by a
// reload on the same address keeps accepting on the same socket: no
// connection is refused while the old driver hands over to the new one.

#include "config/config.hpp"
#include "model/driver.hpp"
#include "net/unique_fd.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace netcook::server {

class Listener {
 public:
  using Socket = std::shared_ptr<const net::UniqueFd>;

  // Makes the driver (does not start it yet). `id` tells this listener
  // apart from a predecessor of the same name that is still draining.
  Listener(std::uint64_t id, config::Listener config, Socket socket,
           model::DriverSettings settings, const model::Environment& environment);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener();

  void start();
  // New connections are no longer accepted by this listener's driver, and
  // its listening socket is let go (closed unless a successor shares it),
  // so new connections are refused rather than queued. `why` (shutdown or
  // listener_removed) is the close reason of the connections still open
  // when the listener is destroyed.
  void stop_accepting(model::CloseReason why);
  // A reload kept this TLS listener and read its tls section anew
  // (`config`, same settings otherwise): its new connections take `setup`,
  // open ones keep theirs. Throws when the driver cannot pass it on (the
  // fork master failed to load it); the listener then keeps the old one
  // where it failed.
  void renew_tls(config::Listener config, model::TlsSetup setup);

  std::uint64_t id() const noexcept { return id_; }
  const config::Listener& config() const noexcept { return config_; }
  const Socket& socket() const noexcept { return socket_; }
  std::size_t connections() const noexcept { return driver_->connections(); }
  // The heartbeats of the driver's loops (see Driver::heartbeats()).
  std::vector<event::Heartbeat*> heartbeats() const { return driver_->heartbeats(); }
  // The address the socket is bound to ("127.0.0.1:40123").
  const std::string& bound_address() const noexcept { return bound_; }
  // The listener's logger (DriverSettings::log), for the server's lines
  // about this listener.
  spdlog::logger& log() const noexcept { return *log_; }

 private:
  std::uint64_t id_;
  config::Listener config_;
  Socket socket_;
  std::string bound_;
  std::shared_ptr<spdlog::logger> log_;
  metrics::Arena* arena_;  // may be null
  metrics::ListenerMetrics metrics_;
  std::shared_ptr<model::TlsSlot> tls_;  // null for a plain listener
  std::unique_ptr<model::Driver> driver_;
};

}  // namespace netcook::server
