#include "server/listener_tls.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace netcook::server {

std::string tls_where(const std::string& file, const config::Listener& listener) {
  const config::Mark& mark = listener.tls->mark;
  return fmt::format("{}:{}:{}: listener {}: tls", file, mark.line, mark.column, listener.name);
}

LoadedTls load_listener_tls(const std::string& file, const config::Listener& listener,
                            std::chrono::system_clock::time_point now) {
  LoadedTls loaded;
  try {
    loaded.setup = model::load_tls(listener);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", tls_where(file, listener), e.what()));
  }
  if (const auto warning = tls::expiry_warning(*loaded.setup.context, now))
    loaded.warning = fmt::format("{}: {}", tls_where(file, listener), *warning);
  return loaded;
}

}  // namespace netcook::server
