#pragma once

// Joins the two axes: turns a listener's protocol settings into what its
// driver runs. The only place that knows every protocol.

#include "config/config.hpp"
#include "proto/session.hpp"

#include <string>

namespace netcook::server {

proto::Protocol make_protocol(const config::Listener& listener);

// The limits a listener's driver enforces: its own, with what a protocol
// section overrides (chat's max_outbox caps what a member may leave unread).
config::Limits driver_limits(const config::Listener& listener);

// A listener's definition as text (DriverSettings::spec): its name and the
// configuration file it came from, as read.
std::string listener_spec(const config::Config& config, const config::Listener& listener);

// The Protocol for a spec made by listener_spec(), for a process that has
// only the text (the fork master). Throws std::invalid_argument when the
// spec does not parse or names no listener.
proto::Protocol load_protocol(const std::string& spec);

}  // namespace netcook::server
