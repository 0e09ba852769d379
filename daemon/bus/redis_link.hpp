#pragma once

// One asynchronous connection to a Redis server on an event::Loop (hiredis
// async, attached to the loop by redis_events), kept up: connected with a
// deadline, authenticated (AUTH) and on its database (SELECT) before it
// counts as up, and made anew with a back-off (100 ms doubling to 2 s)
// whenever it is lost, until destroyed. A reply later than the timeout
// (plus what a blocking command asked for) loses the link: a silent Redis
// is noticed, never waited for. Everything runs on the loop's thread.
//
// hiredis 0.14 writes with write(2): the process must ignore SIGPIPE (main
// and the fork processes do). A link is destroyed before its loop. Replies
// are matched to commands in order: no SUBSCRIBE nor MONITOR on a link.

#include "config/config.hpp"
#include "event/loop.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

struct redisReply;

namespace netcook::bus {

struct LinkSettings {
  // A host name is resolved by hiredis on every attempt, synchronously,
  // stalling the loop meanwhile: an address (or a unix socket) avoids it.
  config::BusEndpoint endpoint;
  std::string password;  // empty: no AUTH
  // Connecting (TCP and the AUTH/SELECT answers) and every reply, at most.
  std::chrono::milliseconds timeout{5000};
  // CLIENT SETNAME, for CLIENT LIST on the server ("netcookd-lobby-read");
  // empty: none.
  std::string client_name;
};

class RedisLink {
 public:
  // The reply to a command, or null when the link was lost (or the reply
  // timed out) before it came. An error reply (REDIS_REPLY_ERROR) is a
  // reply: the caller looks.
  using Callback = std::function<void(const redisReply* reply)>;

  RedisLink(event::Loop& loop, LinkSettings settings, spdlog::logger& log);
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;
  // Disconnects. Callbacks of commands still pending are dropped, not
  // called.
  ~RedisLink();

  // Called on the loop's thread each time the link comes up, and each time
  // it is lost (with why: "connection refused", "timed out", "closed by
  // the server", "authentication failed: ..."). Set before start().
  // While down, each failed attempt calls on_down again (why it failed);
  // on_up comes once per success.
  void on_up(std::function<void()> callback);
  void on_down(std::function<void(std::string_view why)> callback);

  // Begins connecting; from now on the link is made anew after each loss.
  void start();

  bool up() const noexcept;

  // Sends the command `argv` (binary-safe, not empty) when up(); returns
  // false (and sends nothing) otherwise. `callback` is called once, on the
  // loop's thread, never from inside command(). `extra` lengthens this
  // reply's deadline (a blocking command's own wait: XREAD BLOCK).
  bool command(std::span<const std::string_view> argv, Callback callback,
               std::chrono::milliseconds extra = {});

  // Writes the commands sent so far to the socket now, as far as it takes
  // them without waiting, rather than on the loop's next turn: a daemon
  // going away gets its last words out before it closes the link.
  void flush() noexcept;

  // Drops the connection as if it were lost (on_down is called with `why`)
  // and makes it anew after the back-off.
  void reset(std::string_view why);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace netcook::bus
