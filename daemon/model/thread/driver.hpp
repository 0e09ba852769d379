#pragma once

// The thread model: one thread per connection, bounded by max_connections,
// blocking in poll(2) on its socket with the listener's timeouts. One more
// thread accepts. Threads are named "<listener>#<n>" for `top -H`.

#include "model/driver.hpp"

namespace netcook::model::thread {

std::unique_ptr<Driver> make_thread_driver(DriverSettings settings, net::Fd listening,
                                           proto::Protocol protocol);

}  // namespace netcook::model::thread
