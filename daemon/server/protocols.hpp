#pragma once

// Joins the two axes: turns a listener's protocol settings into what its
// driver runs. The only place that knows every protocol.

#include "config/config.hpp"
#include "proto/session.hpp"

namespace netcook::server {

proto::Protocol make_protocol(const config::Listener& listener);

}  // namespace netcook::server
