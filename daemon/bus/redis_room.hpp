#pragma once

// A chat room shared by several daemons, kept in Redis: the RoomBus a
// shared room (proto/chat/shared_room.cpp) is made with when its listener
// names a `bus`.
//
// The room's keys share the hash tag {ROOM} (`netcookd:{lobby}:stream`, ...)
// so that one Redis Cluster slot could hold them:
//   stream   every event of the room, in the room's one order (XADD MAXLEN ~)
//   members  member -> its name, host and join entry ("DAEMON/CONNECTION")
//   roster   members by join order (a sorted set)
//   names    case-folded name -> member: names are unique in the room
//   daemons  daemon -> when its presence expires (Redis's clock, ms)
//   history  the last lines and actions, newest first
//   seen     daemon -> the sequence number of its last published request
// Every change is a Lua script, so each is atomic: a name claimed and its
// join published together, a dead daemon's members removed and announced
// by exactly one of the others. Scripts are idempotent (by member, or by
// the daemon's sequence number), so a request whose answer a lost link
// took away is simply sent again.
//
// Two connections (bus/redis_link): one for the scripts, one that reads
// the stream (XREAD BLOCK) after the last entry it passed on. Both run on
// `loop` (the main thread's, or the fork master's) and never block it.

#include "bus/redis_link.hpp"
#include "config/config.hpp"
#include "event/loop.hpp"
#include "metrics/arena.hpp"
#include "proto/chat/room_bus.hpp"

#include <functional>
#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace netcook::bus {

struct RoomSettings {
  std::string room;
  LinkSettings link;  // endpoint, password, timeout (bus_timeout)
  std::size_t max_members = 1024;
  std::size_t history = 20;
  std::chrono::milliseconds presence_ttl{15000};
  std::chrono::milliseconds outage{30000};  // bus_outage
  std::size_t queue = 10000;                // bus_queue
  // The listener's figures: the bus's link, queue and entries.
  metrics::ListenerMetrics metrics;
  // This room's name on the bus; empty: daemon_id() and a number, unique
  // in the process. (Tests run several "daemons" in one process.)
  std::string daemon;
};

// Made on any thread; from start() on it works on `loop`'s thread. `log`
// (the listener's) outlives the loop's last turn. Destroy it on `loop`'s
// thread or while the loop is not running.
std::unique_ptr<proto::chat::RoomBus> make_redis_room(event::Loop& loop, RoomSettings settings,
                                                       std::shared_ptr<spdlog::logger> log);

// Rooms of this process that went (their listener removed, the daemon
// stopping) and are telling the bus their members left: each lingers
// until the bus answers, a second at most, provided the loop still turns.
// `done` is called on the loop's thread when none is left (at once when
// none is under way). For the loop's thread only.
std::size_t farewells_under_way() noexcept;
void when_farewells_done(std::function<void()> done);

// This process's name on every bus: host name, process id and a random
// part, so that a daemon started again is another daemon.
const std::string& daemon_id();

}  // namespace netcook::bus
