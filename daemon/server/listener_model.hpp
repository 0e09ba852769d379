#pragma once

// Whether a listener's concurrency model can run in this process, worded
// for the operator at the listener's `model` value. Only io_uring may not:
// a kernel without it, kernel.io_uring_disabled, or a seccomp filter that
// denies io_uring_setup (a unit's SystemCallFilter). Asked at start-up, on
// a reload that starts the listener, and by --check-config.

#include "config/config.hpp"

#include <string>

namespace netcook::server {

// "FILE:LINE:COLUMN: listener NAME: model io_uring cannot run here: io_uring
// is disabled here (...)", or empty when the model can run.
std::string model_unavailable(const std::string& file, const config::Listener& listener);

}  // namespace netcook::server
