#pragma once

// A chat room's bus (a room shared by several daemons through Redis) as
// the figures see it. The bus only counts, through a ChatBusMeter; the
// renderers (exposition.hpp) and the server's STATUS= line read the sums
// (ChatBusFigures, arena.hpp).
//
// Whether a listener shows bus series at all is the meter's doing: a
// meter adds 1 to its listener's chat_bus_configured while it lives, so a
// chat listener without a bus (no meter) shows none, and one whose bus
// a reload took away stops showing them when that bus goes. No flag is
// written at Arena::take: a reload's successor shares its predecessor's
// slot, and the two may differ in having a bus.

#include "metrics/arena.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace netcook::metrics {

// The figures of one bus, kept in its listener's cells. Make it when the
// bus starts and destroy it when the bus goes: the destructor takes back
// what this meter put in the gauges (its 1 in configured, its link, its
// queue), so they stay right across a reload, whichever order the old and
// new bus come and go in. Used from one thread at a time (the bus's own
// loop); it writes that thread's shard.
class ChatBusMeter {
 public:
  explicit ChatBusMeter(ListenerMetrics listener) noexcept;
  ~ChatBusMeter();
  ChatBusMeter(const ChatBusMeter&) = delete;
  ChatBusMeter& operator=(const ChatBusMeter&) = delete;

  // The room is linked to the bus (the bus's own judgement: its links up
  // and the room's members announced) or no longer is. Idempotent: only a
  // change counts, and a loss of a link that was up counts once in
  // link_losses (a first connection that fails is no loss).
  void linked() noexcept;
  void link_lost() noexcept;

  // Entries this daemon published to the room (a line, a join, a leave, a
  // rename...), entries it read from it (anyone's, its own included), and
  // lines it dropped (past the outage bound, or its queue full).
  void published(std::uint64_t entries = 1) noexcept;
  void received(std::uint64_t entries = 1) noexcept;
  void dropped(std::uint64_t lines = 1) noexcept;

  // How many requests wait now for the link (set it whenever it changes;
  // 0 once they are sent).
  void queue_length(std::size_t requests) noexcept;

  bool up() const noexcept { return up_; }

 private:
  ListenerMetrics listener_;
  bool up_ = false;
  std::int64_t queued_ = 0;
};

// For a STATUS= line: "NAME: bus down" naming the chat listeners whose bus
// is down ("a, b: bus down"; past three, "a, b, c and 2 more: bus down"),
// or "" when every bus is up or there is none.
std::string chat_bus_trouble(const Figures& figures);

}  // namespace netcook::metrics
