#include "model/reactor_connection.hpp"

#include "model/pump.hpp"

namespace netcook::model {

ReactorConnection::ReactorConnection(ServiceDesk& desk, Admission& admission, NewConnection made,
                                     Clock::time_point now)
    : slot_(std::move(admission.slot)),
      membership_(desk, made.setup.id),
      core_(std::move(made.setup), desk.present() ? this : nullptr, now),
      socket_(std::move(admission.socket)),
      plain_(socket_.borrow()),
      tls_(made.tls ? std::make_unique<TlsTransport>(socket_.borrow(), std::move(made.tls))
                    : nullptr) {
  desk.join(core_.id(), *this);
}

// Only TLS says goodbye; a model's own plain transport is gone already.
ReactorConnection::~ReactorConnection() {
  if (tls_) tls_->finish(core_.ended_cleanly());
}

void ReactorConnection::send(std::string_view message) {
  membership_.desk().send(core_.id(), message);
}

bool ReactorConnection::expire_when_due(event::Timer& timer, Clock::time_point now) noexcept {
  if (now < core_.deadline()) {
    timer.arm_at(core_.deadline());
    return false;
  }
  core_.expire(now);
  return true;
}

void ReactorConnection::end_now(CloseReason why, Clock::time_point now) noexcept {
  if (core_.closed()) return;
  core_.end(why, now);
  flush_now(core_, transport(), now);
}

}  // namespace netcook::model
