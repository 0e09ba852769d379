#include "proto/chat/chat.hpp"

#include "proto/chat/room_text.hpp"
#include "proto/chat/text.hpp"
#include "proto/chat/wire.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

namespace netcook::proto::chat {
namespace {

// One room of this listener alone: who is connected, who has joined under
// which name, in which order, and its last lines. Every reply goes through
// the Courier, never straight to a session, so a client sees its own
// replies and others' lines in one order.
class ChatHub final : public Service {
 public:
  ChatHub(const ChatSettings& settings, const ServiceContext& context)
      : max_line_(settings.max_line),
        max_members_(settings.max_members),
        metrics_(context.metrics),
        log_(context.log),
        history_(settings.history) {}

  void message(ConnectionId from, std::string_view message, Courier& out) override {
    if (message.empty()) return;
    CountingCourier courier(out, metrics_);
    const char tag = message.front();
    message.remove_prefix(1);
    auto& client = clients_[from];
    if (tag != wire::kLine) {
      client.take(from, tag, message, max_line_, courier);
    } else if (client.name.empty()) {
      name_line(from, client, message, courier);
    } else {
      member_line(from, client, message, courier);
    }
  }

  // The members still in leave with the listener (for the log and the
  // member count; there is nobody left to tell).
  void ended(metrics::CloseReason why) noexcept override {
    try {
      for (const auto& [joined, id] : order_) {
        Client& client = clients_.at(id);
        if (client.close_reason.empty()) client.close_reason = metrics::to_string(why);
        metrics::add(metrics_.here().chat_leaves);
        log_.left(id, client);
      }
    } catch (...) {  // out of memory for a log line: the counts are what matter
    }
    order_.clear();
    names_.clear();
    clients_.clear();
  }

  void gone(ConnectionId who, Courier& out) override {
    CountingCourier courier(out, metrics_);
    const auto it = clients_.find(who);
    if (it == clients_.end()) return;
    const Client client = std::move(it->second);
    clients_.erase(it);
    if (client.name.empty()) return;
    names_.erase(fold_case(client.name));
    order_.erase(client.joined);
    metrics::add(metrics_.here().chat_leaves);
    log_.left(who, client);
    broadcast(who, left_line(client.name, client.host, order_.size(), client.reason), courier);
  }

 private:
  struct Client : MemberFacts {
    std::uint64_t joined = 0;  // position in order_
  };

  // The first lines of a client, until one is a name it can have.
  void name_line(ConnectionId from, Client& client, std::string_view line, Courier& courier) {
    line = trim(line);
    if (line.empty()) return;
    // Of the commands only /help, and /quit (the session's), work before a
    // name; a client that tries another is told what is missing.
    if (line.starts_with('/')) {
      if (parse_command(line).word == "/help")
        deliver_help(from, courier);
      else
        courier.deliver(from, "! send your name first\n");
      return;
    }
    if (line.starts_with("NAME: ")) line = trim(line.substr(6));
    if (!usable_name(from, line, courier)) return;
    if (order_.size() >= max_members_) {
      courier.deliver(from, full_line(order_.size()));
      return;
    }
    client.name = line;
    client.joined = next_join_++;
    order_.emplace(client.joined, from);
    names_.emplace(fold_case(client.name), from);
    metrics::add(metrics_.here().chat_joins);
    log_.joined(from, client);
    courier.deliver(from, welcome_line(client.name, client.host, order_.size(), roster()));
    deliver_history(from, history_.lines(), courier);
    broadcast(from, joined_line(client.name, client.host, order_.size()), courier);
  }

  void member_line(ConnectionId from, Client& client, std::string_view line, Courier& courier) {
    if (!line.starts_with('/')) {
      metrics::add(metrics_.here().chat_lines);
      said(from, said_line(client.name, client.host, line), courier);
      return;
    }
    const auto [command, argument] = parse_command(line);
    if (command == "/who") {
      courier.deliver(from, who_line(order_.size(), roster()));
    } else if (command == "/nick") {
      if (argument.empty())
        courier.deliver(from, "! usage: /nick NAME\n");
      else
        rename(from, client, argument, courier);
    } else if (command == "/help") {
      deliver_help(from, courier);
    } else if (command == "/me") {
      if (argument.empty()) {
        courier.deliver(from, "! usage: /me TEXT\n");
      } else {
        metrics::add(metrics_.here().chat_lines);
        said(from, acted_line(client.name, argument), courier);
      }
    } else if (command != "/quit") {  // /quit is the session's; it closes
      courier.deliver(from, fmt::format("! unknown command: {}\n", command));
    }
  }

  // A line or an action: to every other member, and into the history.
  void said(ConnectionId from, std::string text, Courier& courier) {
    broadcast(from, text, courier);
    history_.add(std::move(text));
  }

  void rename(ConnectionId from, Client& client, std::string_view name, Courier& courier) {
    if (!usable_name(from, name, courier)) return;
    const std::string old = std::move(client.name);
    names_.erase(fold_case(old));
    client.name = name;
    names_.emplace(fold_case(client.name), from);
    courier.deliver(from, fmt::format("* you are now {}\n", client.name));
    if (client.name == old) return;  // nothing for the others to learn otherwise
    log_.renamed(from, client, old);
    broadcast(from, renamed_line(old, client.name), courier);
  }

  // A valid name nobody else in the room has; a member may take another
  // spelling of its own.
  bool usable_name(ConnectionId from, std::string_view name, Courier& courier) {
    if (!is_valid_name(name)) {
      courier.deliver(from, invalid_name_line());
      return false;
    }
    const auto holder = names_.find(fold_case(name));
    if (holder != names_.end() && holder->second != from) {
      courier.deliver(from, taken_line(name));
      return false;
    }
    return true;
  }

  void broadcast(ConnectionId except, std::string_view line, Courier& courier) {
    for (const auto& [joined, id] : order_)
      if (id != except) courier.deliver(id, line);
  }

  // Members' names in join order.
  std::vector<std::string> roster() const {
    std::vector<std::string> names;
    names.reserve(order_.size());
    for (const auto& [joined, id] : order_) names.push_back(clients_.at(id).name);
    return names;
  }

  const std::size_t max_line_;  // for the refusal of a longer line
  const std::size_t max_members_;
  const metrics::ListenerMetrics metrics_;  // joins, leaves, lines
  MemberLog log_;
  History history_;
  std::unordered_map<ConnectionId, Client> clients_;
  std::map<std::uint64_t, ConnectionId> order_;          // members by join order
  std::unordered_map<std::string, ConnectionId> names_;  // case-folded name -> member
  std::uint64_t next_join_ = 0;
};

}  // namespace

std::unique_ptr<Service> make_chat_hub(const ChatSettings& settings,
                                       const ServiceContext& context,
                                       std::unique_ptr<RoomBus> bus) {
  if (bus) return make_shared_room(settings, context, std::move(bus));
  return std::make_unique<ChatHub>(settings, context);
}

}  // namespace netcook::proto::chat
