#include "model/driver.hpp"

#include "model/epoll/driver.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace netcook::model {

std::unique_ptr<Driver> make_driver(config::Model model, DriverSettings settings,
                                    int listen_fd, proto::Protocol protocol) {
  switch (model) {
    case config::Model::epoll:
      return epoll::make_epoll_driver(std::move(settings), listen_fd, std::move(protocol));
    case config::Model::fork:
    case config::Model::thread:
    case config::Model::select:
    case config::Model::coroutine:
      break;
  }
  throw std::invalid_argument(
      fmt::format("the {} model is not available yet", config::to_string(model)));
}

}  // namespace netcook::model
