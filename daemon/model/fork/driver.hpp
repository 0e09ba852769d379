#pragma once

// The fork model: a process per connection, forked by the fork master
// (master.hpp), which must have been started at start-up.

#include "model/driver.hpp"

namespace netcook::model::fork {

// Makes a driver that is a proxy in the main process: start() hands the
// listener (settings.spec, limits, name, and a copy of `listen_fd` over
// SCM_RIGHTS) to the fork master, which runs it. `protocol` is not used:
// the master rebuilds the Protocol from settings.spec with its
// ProtocolLoader, so both processes agree on the configuration. Throws
// std::runtime_error when the fork master is not running.
std::unique_ptr<Driver> make_fork_driver(DriverSettings settings, int listen_fd,
                                         proto::Protocol protocol);

}  // namespace netcook::model::fork
