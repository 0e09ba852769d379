#pragma once

// The fork model: a process per connection, forked by the fork master
// (master.hpp), which must have been started at start-up.

#include "model/driver.hpp"

namespace netcook::model::fork {

class Master;

// Makes a driver that is a proxy in the main process: start() hands the
// listener's validated settings, its limits and a copy of `listening`
// (SCM_RIGHTS) to the fork master, which makes the Protocol from the
// settings and runs the listener. `master` outlives the driver.
std::unique_ptr<Driver> make_fork_driver(DriverSettings settings, net::Fd listening,
                                         Master& master);

}  // namespace netcook::model::fork
