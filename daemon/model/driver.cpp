#include "model/driver.hpp"

#include "model/coroutine/driver.hpp"
#include "model/epoll/driver.hpp"
#include "model/fork/driver.hpp"
#include "model/io_uring/driver.hpp"
#include "model/select/driver.hpp"
#include "model/thread/driver.hpp"

#include <stdexcept>

namespace netcook::model {

std::unique_ptr<Driver> make_driver(config::Model model, DriverSettings settings, net::Fd listening,
                                    proto::Protocol protocol, const Environment& environment) {
  switch (model) {
    case config::Model::fork:
      if (environment.fork_master == nullptr)
        throw std::logic_error(
            "the fork model needs the fork master, which was not started (it must be started "
            "at start-up, before any thread)");
      return fork::make_fork_driver(std::move(settings), listening, *environment.fork_master);
    case config::Model::thread:
      return thread::make_thread_driver(std::move(settings), listening, std::move(protocol));
    case config::Model::select:
      return select_model::make_select_driver(std::move(settings), listening, std::move(protocol));
    case config::Model::epoll:
      return epoll::make_epoll_driver(std::move(settings), listening, std::move(protocol));
    case config::Model::coroutine:
      return coroutine::make_coroutine_driver(std::move(settings), listening, std::move(protocol));
    case config::Model::io_uring:
      return io_uring::make_io_uring_driver(std::move(settings), listening, std::move(protocol));
  }
  throw std::invalid_argument("unknown concurrency model");
}

}  // namespace netcook::model
