#pragma once

// What a chat session tells its hub: one tag byte, then the payload. Private
// to the chat protocol; it crosses a process boundary only between a fork
// child and its fork master, which run the same binary.

namespace netcook::proto::chat::wire {

inline constexpr char kHello = 'H';    // + the client's address as text
inline constexpr char kLine = 'L';     // + a sanitized line, not empty nor only blanks
inline constexpr char kTooLong = 'T';  // a line over max_line was discarded
// + the reason a client gave with /quit (sanitized, trimmed, not empty, at
// most kMaxReason bytes); the connection ends next.
inline constexpr char kQuit = 'Q';

}  // namespace netcook::proto::chat::wire
