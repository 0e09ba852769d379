#include "server/listener_model.hpp"

#include "config/names.hpp"
#include "uring/ring.hpp"

#include <fmt/format.h>

namespace netcook::server {

std::string model_unavailable(const std::string& file, const config::Listener& listener) {
  if (listener.model != config::Model::io_uring) return {};
  const std::string why = uring::unavailable();
  if (why.empty()) return {};
  const config::Mark& mark = listener.model_mark;
  return fmt::format("{}:{}:{}: listener {}: model io_uring cannot run here: {}", file, mark.line,
                     mark.column, listener.name, why);
}

}  // namespace netcook::server
