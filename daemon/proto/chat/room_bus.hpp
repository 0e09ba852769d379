#pragma once

// A room shared by several daemons: what the chat hub asks of the bus that
// links it to the others (bus/redis_room, over Redis), and what comes back.
// Sans-I/O on this side: the hub submits requests and takes news; the bus
// does its I/O on an event loop of its own process and wakes the hub's
// driver (ServiceContext::wake) when there is news.
//
// The room's order is the bus's: every event of the room (a join, a line,
// a leave), this daemon's own included, reaches the hub as an Entry, in
// the same order on every daemon, and the hub delivers it only then.

#include "proto/service.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace netcook::proto::chat {

// The position of an entry in the room's order (a Redis stream ID,
// "ms-seq"): later entries compare greater.
struct EntryId {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;

  auto operator<=>(const EntryId&) const = default;
};

// What the hub asks, each about one of its members (`member`, the
// connection's id; unique on the bus with the daemon's own id).
struct BusRequest {
  enum class Kind : std::uint8_t {
    join,    // claim `name` and enter the room: answered
    rejoin,  // enter again, `name` already ours (the bus lost the room's state): answered
    rename,  // from `name` to `text`: answered
    say,     // a line, `text`
    act,     // /me `text`
    who,     // the room's members: answered
    leave,   // `text`: the reason given with /quit, or empty
  };
  Kind kind = Kind::say;
  ConnectionId member = 0;
  std::string name;  // the member's name (rename: the old one)
  std::string host;  // the member's address, as in name@host
  std::string text;
};

// One event of the room, published by any daemon.
struct Entry {
  enum class Kind : std::uint8_t {
    joined,
    rejoined,  // quietly: the member was in the room before the bus lost it
    left,
    renamed,  // from `text` to `name`
    line,
    action,  // /me
  };
  EntryId id;
  Kind kind = Kind::line;
  bool ours = false;       // published by this daemon, for `member`
  ConnectionId member = 0;  // meaningful when ours
  std::string name;
  std::string host;
  std::string text;        // the line, the /me text, the leave reason, the old name
  std::size_t online = 0;  // members in the room after a join or leave
};

// The answer to a join, rejoin, rename or who.
struct Answer {
  enum class Outcome : std::uint8_t {
    ok,
    taken,   // the name is another member's
    full,    // the room has max_members (online says how many)
    failed,  // the bus gave up on it (the link was down too long)
  };
  BusRequest::Kind to = BusRequest::Kind::join;
  ConnectionId member = 0;
  Outcome outcome = Outcome::ok;
  EntryId entry;                     // join, rejoin, rename: the entry it published
  std::size_t online = 0;            // join, who: members in the room
  std::vector<std::string> roster;   // join, who: their names, in join order
  std::vector<Entry> history;        // join: the room's last lines and actions, oldest first
};

struct BusNews {
  enum class Kind : std::uint8_t {
    entry,
    answer,
    link_lost,      // the bus cannot reach the room: requests wait in its queue
    link_restored,  // and can again; what was queued is being published
    // The room forgot this daemon's members (Redis restarted empty, or the
    // others took this daemon for dead): the hub rejoins each.
    forgotten,
    // A say/act/leave of `member` was not published (`text` says why: the
    // link was down longer than the bus rides out, or its queue was full).
    dropped,
  };
  Kind kind = Kind::entry;
  Entry entry;
  Answer answer;
  ConnectionId member = 0;  // dropped
  std::string text;         // dropped: why
};

class RoomBus {
 public:
  virtual ~RoomBus() = default;

  // Starts linking. `wake` is called, from the bus's thread and never from
  // inside submit() or take(), whenever take() has news (ServiceContext's
  // wake, for a hub).
  virtual void start(std::function<void()> wake) = 0;

  // Thread-safe, never blocks: the request is queued and sent in order.
  virtual void submit(BusRequest request) = 0;

  // Thread-safe: appends the news gathered since the last call to `into`,
  // oldest first.
  virtual void take(std::vector<BusNews>& into) = 0;
};

}  // namespace netcook::proto::chat
