#include "model/driver.hpp"

#include "model/coroutine/driver.hpp"
#include "model/epoll/driver.hpp"
#include "model/fork/driver.hpp"
#include "model/select/driver.hpp"
#include "model/thread/driver.hpp"

#include <stdexcept>

namespace netcook::model {

std::unique_ptr<Driver> make_driver(config::Model model, DriverSettings settings,
                                    int listen_fd, proto::Protocol protocol) {
  switch (model) {
    case config::Model::fork:
      return fork::make_fork_driver(std::move(settings), listen_fd, std::move(protocol));
    case config::Model::thread:
      return thread::make_thread_driver(std::move(settings), listen_fd, std::move(protocol));
    case config::Model::select:
      return select_model::make_select_driver(std::move(settings), listen_fd,
                                              std::move(protocol));
    case config::Model::epoll:
      return epoll::make_epoll_driver(std::move(settings), listen_fd, std::move(protocol));
    case config::Model::coroutine:
      return coroutine::make_coroutine_driver(std::move(settings), listen_fd,
                                              std::move(protocol));
  }
  throw std::invalid_argument("unknown concurrency model");
}

}  // namespace netcook::model
