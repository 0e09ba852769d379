#include "server/listener.hpp"

#include "net/socket.hpp"
#include "server/protocols.hpp"

namespace netcook::server {

Listener::Listener(std::uint64_t id, config::Listener config, Socket socket,
                   model::DriverSettings settings, const model::Environment& environment)
    : id_(id),
      config_(std::move(config)),
      socket_(std::move(socket)),
      bound_(net::local_address(socket_->borrow())),
      log_(settings.log) {
  driver_ = model::make_driver(config_.model, std::move(settings), socket_->borrow(),
                               make_protocol(config_), environment);
}

void Listener::start() { driver_->start(); }

void Listener::stop_accepting(model::CloseReason why) {
  driver_->stop_accepting(why);
  socket_.reset();
}

}  // namespace netcook::server
