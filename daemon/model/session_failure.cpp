#include "model/session_failure.hpp"

#include "log/fields.hpp"

#include <exception>

namespace netcook::model {

void log_session_failure(spdlog::logger& log, proto::ConnectionId id,
                         std::string_view peer) noexcept {
  const log::PeerScope scope(peer);
  try {
    throw;
  } catch (const std::exception& e) {
    log.error("connection {} from {} failed: {}", id, peer, e.what());
  } catch (...) {
    log.error("connection {} from {} failed: an unknown exception", id, peer);
  }
}

}  // namespace netcook::model
