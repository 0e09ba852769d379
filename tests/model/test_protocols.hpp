#pragma once

// Small protocols that exercise what a driver must provide, without any
// real protocol: echo (from proto/), a broadcast room over the Service
// plumbing, a session that throws on demand, answers with a file range, and
// last words.

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
// With a limited `rate`, each line costs a token (flood control): a member
// out of tokens holds its lines (Session::holding) until resumed.
proto::Protocol room_protocol(proto::InputRate rate = {});

// Echoes, but throws from receive() when a line "boom" arrives.
proto::Protocol throwing_protocol();

// Answers every line "<line>" with "<line>\n", the file at `path` but its
// first and last byte (a file range), then "</line>\n": bytes, a file,
// bytes. The file is opened once per connection and must not change.
proto::Protocol file_protocol(const std::string& path);

// Line echo whose last words are "timeout\n" after a read timeout and
// "bye ENDING\n" otherwise (ENDING as CloseReason spells it), or throw when
// `throws`.
proto::Protocol timeout_protocol(bool throws);

// Line echo that, on the line "quit", answers "bye\n" and ends the
// connection once that is written (Session::close_after_flush).
proto::Protocol quitting_protocol();

}  // namespace netcook::test
