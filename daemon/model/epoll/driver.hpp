#pragma once

// The epoll model: `workers` reactor threads over epoll(7), non-blocking
// sockets, edge-triggered, sharing the listening socket with EPOLLEXCLUSIVE
// (worker.hpp).

#include "model/driver.hpp"

namespace netcook::model::epoll {

std::unique_ptr<Driver> make_epoll_driver(DriverSettings settings, net::Fd listening,
                                          proto::Protocol protocol);

}  // namespace netcook::model::epoll
