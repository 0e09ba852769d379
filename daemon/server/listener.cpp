#include "server/listener.hpp"

#include "net/socket.hpp"
#include "server/protocols.hpp"

namespace netcook::server {
namespace {

// For the metrics: the certificate's notAfter, seconds since the epoch; 0
// without TLS.
std::int64_t expiry_of(const model::TlsSetup& tls) {
  if (!tls.context) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(
             tls.context->certificate_expiry().time_since_epoch())
      .count();
}

}  // namespace

Listener::Listener(std::uint64_t id, config::Listener config, Socket socket,
                   model::DriverSettings settings, const model::Environment& environment)
    : id_(id),
      config_(std::move(config)),
      socket_(std::move(socket)),
      bound_(net::local_address(socket_->borrow())),
      log_(settings.log),
      arena_(environment.arena),
      tls_(settings.tls) {
  if (arena_ != nullptr)
    settings.metrics = arena_->take(config_.name, config::to_string(config_.protocol),
                                    config::to_string(config_.model), bound_);
  metrics_ = settings.metrics;
  metrics_.certificate_expires(tls_ ? expiry_of(tls_->get()) : 0);
  try {
    driver_ = model::make_driver(config_.model, std::move(settings), socket_->borrow(),
                                 make_protocol(config_, arena_, environment.home), environment);
  } catch (...) {
    if (arena_ != nullptr) arena_->give_back(metrics_);
    throw;
  }
}

// The driver first: its connections count until they are gone.
Listener::~Listener() {
  driver_.reset();
  if (arena_ != nullptr) arena_->give_back(metrics_);
}

void Listener::start() { driver_->start(); }

void Listener::renew_tls(config::Listener config, model::TlsSetup setup) {
  if (!tls_) return;
  metrics_.certificate_expires(expiry_of(setup));
  tls_->set(std::move(setup));
  config_ = std::move(config);
  driver_->tls_renewed(config_);
}

void Listener::stop_accepting(model::CloseReason why) {
  driver_->stop_accepting(why);
  socket_.reset();
}

}  // namespace netcook::server
