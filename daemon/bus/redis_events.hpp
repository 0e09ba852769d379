#pragma once

// hiredis's asynchronous API on an event::Loop: the context's socket is
// registered (level-triggered) for what hiredis asks to watch (addRead,
// delRead, addWrite, delWrite), and readiness calls redisAsyncHandleRead or
// redisAsyncHandleWrite. hiredis 0.14 has no timer hook: deadlines are the
// caller's (redis_link.cpp).
//
// The attachment belongs to the context: hiredis's cleanup hook, called
// when the context is freed (by redisAsyncFree, or by hiredis itself when
// the connection fails), unregisters the socket. The attachment object
// itself goes on the loop's next turn, so that readiness already reported
// for it in this turn finds it still there (and does nothing).
//
// Attach before redisAsyncSetConnectCallback: hiredis 0.14 asks to watch
// for writability (the end of connect(2)) there. Loop's thread only.

struct redisAsyncContext;

namespace netcook::event {
class Loop;
}

namespace netcook::bus {

// False (nothing done) when something is attached to `context` already.
bool attach(event::Loop& loop, redisAsyncContext& context);

}  // namespace netcook::bus
