#pragma once

// What a chat session tells its hub: one tag byte, then the payload. Private
// to the chat protocol; it crosses a process boundary only between a fork
// child and its fork master, which run the same binary.

namespace netcook::proto::chat::wire {

// + the client's host (its address without the port) as text; then, after
// one space, the address with its port, for the hub's log lines (PEER=).
inline constexpr char kHello = 'H';
inline constexpr char kLine = 'L';     // + a sanitized line, not empty nor only blanks
inline constexpr char kTooLong = 'T';  // a line over max_line was discarded
// + the reason a client gave with /quit (sanitized, trimmed, at most
// kMaxReason bytes; empty for none); the connection ends next.
inline constexpr char kQuit = 'Q';
// + the word of the connection's close reason (metrics::to_string); the
// session's last message, sent as its connection closes, before the hub
// hears gone().
inline constexpr char kClosed = 'C';

}  // namespace netcook::proto::chat::wire
