#pragma once

// The epoll model: `workers` reactor threads over epoll(7), non-blocking
// sockets, edge-triggered, sharing the listening socket with EPOLLEXCLUSIVE.

#include "model/driver.hpp"

namespace netcook::model::epoll {

std::unique_ptr<Driver> make_epoll_driver(DriverSettings settings, int listen_fd,
                                          proto::Protocol protocol);

}  // namespace netcook::model::epoll
