#include "model/epoll/driver.hpp"

#include "model/epoll/worker.hpp"
#include "model/reactor_driver.hpp"

namespace netcook::model::epoll {

std::unique_ptr<Driver> make_epoll_driver(DriverSettings settings, int listen_fd,
                                          proto::Protocol protocol) {
  return std::make_unique<ReactorDriver<Worker, Shared>>(std::move(settings), listen_fd,
                                                         std::move(protocol));
}

}  // namespace netcook::model::epoll
