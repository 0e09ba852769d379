#include "model/reactor_connection.hpp"

#include "model/pump.hpp"

namespace netcook::model {

ReactorConnection::ReactorConnection(ServiceDesk& desk, Admission& admission,
                                     ConnectionCore::Setup setup, Clock::time_point now)
    : slot_(std::move(admission.slot)),
      membership_(desk, setup.id),
      core_(std::move(setup), desk.present() ? this : nullptr, now),
      socket_(std::move(admission.socket)),
      transport_(socket_.borrow()) {
  desk.join(core_.id(), *this);
}

void ReactorConnection::send(std::string_view message) {
  membership_.desk().send(core_.id(), message);
}

void ReactorConnection::end_now(CloseReason why, Clock::time_point now) noexcept {
  if (core_.closed()) return;
  core_.end(why, now);
  flush_now(core_, transport_, now);
}

}  // namespace netcook::model
