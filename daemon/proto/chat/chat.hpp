#pragma once

// The chat protocol: line-based broadcast chat in one room per listener,
// usable with nc or telnet (the wire protocol is in netcookd.yaml(5)).
//
// A ChatSession frames one connection's bytes into lines, enforces max_line
// and makes every line safe to relay; everything with state — names, the
// room's members, replies and fan-out — lives in the listener's hub (a
// proto::Service), so every reply to a client, its own and those caused by
// others, reaches it in one order whatever the model.

#include "proto/chat/room_bus.hpp"
#include "proto/session.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace netcook::proto::chat {

struct ChatSettings {
  std::size_t max_line = 4 * 1024;  // bytes before the LF (a CR before it not counted)
  std::size_t max_members = 1024;   // joined members in the room
  // The listener's timeouts as its configuration writes them, for the
  // line that tells a member why it is being disconnected.
  std::string idle_timeout = "5m";
  std::string read_timeout = "30s";
  // Lines (and /me actions) of the room replayed to a new member.
  std::size_t history = 20;
};

std::unique_ptr<Session> make_chat_session(const ChatSettings& settings,
                                           const SessionContext& context);

// The room. It counts joins, leaves and lines into context.metrics and logs
// joins, renames and leaves (with their reason) at info to context.log.
// Without a bus, a room of this listener alone; with one, a room shared
// with the other daemons on the bus (it then needs context.wake).
std::unique_ptr<Service> make_chat_hub(const ChatSettings& settings,
                                       const ServiceContext& context,
                                       std::unique_ptr<RoomBus> bus = nullptr);

// The shared room (shared_room.cpp); make_chat_hub chooses.
std::unique_ptr<Service> make_shared_room(const ChatSettings& settings,
                                          const ServiceContext& context,
                                          std::unique_ptr<RoomBus> bus);

}  // namespace netcook::proto::chat
