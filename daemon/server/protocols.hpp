#pragma once

// Joins the two axes: turns a listener's protocol settings into what its
// driver runs. The only place that knows every protocol.

#include "config/config.hpp"
#include "event/loop.hpp"
#include "metrics/arena.hpp"
#include "proto/session.hpp"

#include <string>

namespace netcook::server {

// `arena` holds the figures a status listener serves (null: none to serve).
// `home` is the loop of the process that will run the listener's Service
// (the main thread's, or the fork master's): a chat room shared over a bus
// links to it there (null: a chat listener with a bus cannot be made).
proto::Protocol make_protocol(const config::Listener& listener, const metrics::Arena* arena,
                              event::Loop* home);

// The limits a listener's driver enforces: its own, with what a protocol
// section overrides (chat's max_outbox caps what a member may leave unread).
config::Limits driver_limits(const config::Listener& listener);

}  // namespace netcook::server
