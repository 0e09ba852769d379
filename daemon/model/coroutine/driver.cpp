#include "model/coroutine/driver.hpp"

#include "model/coroutine/worker.hpp"
#include "model/reactor_driver.hpp"

namespace netcook::model::coroutine {

std::unique_ptr<Driver> make_coroutine_driver(DriverSettings settings, int listen_fd,
                                              proto::Protocol protocol) {
  return std::make_unique<ReactorDriver<Worker, Shared>>(std::move(settings), listen_fd,
                                                         std::move(protocol));
}

}  // namespace netcook::model::coroutine
