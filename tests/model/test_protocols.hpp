#pragma once

// Small protocols that exercise what a driver must provide, without any
// real protocol: echo (from proto/), a broadcast room over the Service
// plumbing, and a session that throws on demand.

#include "proto/session.hpp"

#include <memory>
#include <string>

namespace netcook::test {

// Raw echo (RFC 862).
proto::Protocol echo_protocol();

// Line echo with a prefix, for read-timeout (partial line) tests.
proto::Protocol line_echo_protocol(std::size_t max_line);

// Every complete line a member sends goes to every other member as
// "<id>: <line>\n"; a member that joins gets "hello <id>\n"; members hear
// "gone <id>\n" when one leaves. Exercises Uplink, Courier and gone().
proto::Protocol room_protocol();

// Echoes, but throws from receive() when a line "boom" arrives.
proto::Protocol throwing_protocol();

}  // namespace netcook::test
