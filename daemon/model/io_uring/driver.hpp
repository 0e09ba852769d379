#pragma once

// The io_uring model: `workers` reactor threads, each waiting in its own
// io_uring (worker.hpp), sharing the listening socket.

#include "model/driver.hpp"

namespace netcook::model::io_uring {

// Throws std::system_error when io_uring cannot be used here.
std::unique_ptr<Driver> make_io_uring_driver(DriverSettings settings, net::Fd listening,
                                             proto::Protocol protocol);

}  // namespace netcook::model::io_uring
