#pragma once

// The coroutine model: `workers` reactor threads, each running one
// coroutine per connection (straight-line reads and writes over co/) and
// an accept loop sharing the listening socket with EPOLLEXCLUSIVE.

#include "model/driver.hpp"

namespace netcook::model::coroutine {

std::unique_ptr<Driver> make_coroutine_driver(DriverSettings settings, net::Fd listening,
                                              proto::Protocol protocol);

}  // namespace netcook::model::coroutine
