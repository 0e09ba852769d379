#include "proto/chat/chat.hpp"

#include "log/fields.hpp"
#include "proto/chat/text.hpp"
#include "proto/chat/wire.hpp"

#include <fmt/format.h>
#include <spdlog/logger.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <unordered_map>

namespace netcook::proto::chat {
namespace {

// The answer to /help, one delivery per line: every command and what it
// does, for a client that has only nc or telnet and no manual.
constexpr std::string_view kHelp[] = {
    "* commands (any other line is sent to the room):\n",
    "* /who - who is online\n",
    "* /nick NAME - change your name\n",
    "* /me TEXT - the others see: * NAME TEXT\n",
    "* /quit [REASON] - leave; the others see REASON\n",
    "* /help - this list\n",
};

// A line that starts with '/': the command word, and the argument after
// the first space without its blanks.
struct Command {
  std::string_view word;
  std::string_view argument;
};

Command parse_command(std::string_view line) noexcept {
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return {line, {}};
  return {line.substr(0, space), trim(line.substr(space + 1))};
}

// Counts what the room hands out into chat_deliveries, once per message
// the room handles rather than once per delivery: a line to 200 members is
// one atomic add, not 200 (what keeps counting free at chat's rates).
class CountingCourier final : public Courier {
 public:
  CountingCourier(Courier& out, const metrics::ListenerMetrics& metrics) noexcept
      : out_(out), metrics_(metrics) {}
  CountingCourier(const CountingCourier&) = delete;
  CountingCourier& operator=(const CountingCourier&) = delete;
  ~CountingCourier() {
    if (count_ != 0) metrics::add(metrics_.here().chat_deliveries, count_);
  }

  void deliver(ConnectionId to, std::string_view bytes) override {
    out_.deliver(to, bytes);
    ++count_;
  }

 private:
  Courier& out_;
  const metrics::ListenerMetrics& metrics_;
  std::uint64_t count_ = 0;
};

// One room: who is connected, who has joined under which name, in which
// order. Every reply goes through the Courier, never straight to a session,
// so a client sees its own replies and others' lines in one order.
//
// Members' joins, renames and leaves are logged at info in the listener's
// logger, with CHAT_NAME= (and PEER=, CONNECTION_ID=) as journal fields, the
// same under every model: the hub runs wherever the model keeps the room.
class ChatHub final : public Service {
 public:
  ChatHub(const ChatSettings& settings, const ServiceContext& context)
      : max_line_(settings.max_line),
        max_members_(settings.max_members),
        metrics_(context.metrics),
        log_(context.log) {}

  void message(ConnectionId from, std::string_view message, Courier& out) override {
    if (message.empty()) return;
    CountingCourier courier(out, metrics_);
    const char tag = message.front();
    message.remove_prefix(1);
    auto& client = clients_[from];
    switch (tag) {
      case wire::kHello:
        hello(client, message);
        return;
      case wire::kTooLong:
        courier.deliver(from, fmt::format("! line too long (limit {} bytes)\n", max_line_));
        return;
      case wire::kQuit:
        client.quit = true;
        client.reason = message;
        return;
      case wire::kClosed:
        client.close_reason = message;
        return;
      case wire::kLine:
        if (client.name.empty())
          name_line(from, client, message, courier);
        else
          member_line(from, client, message, courier);
        return;
      default:
        return;  // not from a chat session of this binary
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
        log_leave(id, client);
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
    log_leave(who, client);
    broadcast(who,
              fmt::format("* {}@{} left ({} online){}{}\n", client.name, client.host, order_.size(),
                          client.reason.empty() ? "" : ": ", client.reason),
              courier);
  }

 private:
  struct Client {
    std::string host;
    std::string peer;          // "127.0.0.1:51234", for the log lines
    std::string name;          // empty until joined
    std::uint64_t joined = 0;  // position in order_
    bool quit = false;         // it sent /quit
    std::string reason;        // given with /quit, for the others to see
    std::string close_reason;  // its connection's, once closed (wire::kClosed)
  };

  // "HOST PEER"; a session that sends no PEER leaves it empty.
  static void hello(Client& client, std::string_view message) {
    const auto space = message.find(' ');
    client.host = message.substr(0, space);
    if (space != std::string_view::npos) client.peer = message.substr(space + 1);
  }

  // The first lines of a client, until one is a name it can have.
  void name_line(ConnectionId from, Client& client, std::string_view line, Courier& courier) {
    line = trim(line);
    if (line.empty()) return;
    // Of the commands only /help, and /quit (the session's), work before a
    // name; a client that tries another is told what is missing.
    if (line.starts_with('/')) {
      if (parse_command(line).word == "/help")
        help(from, courier);
      else
        courier.deliver(from, "! send your name first\n");
      return;
    }
    if (line.starts_with("NAME: ")) line = trim(line.substr(6));
    if (!usable_name(from, line, courier)) return;
    if (order_.size() >= max_members_) {
      courier.deliver(from,
                      fmt::format("! room full: {} online; try again later\n", order_.size()));
      return;
    }
    client.name = line;
    client.joined = next_join_++;
    order_.emplace(client.joined, from);
    names_.emplace(fold_case(client.name), from);
    metrics::add(metrics_.here().chat_joins);
    log_event(from, client, {}, "chat: {} joined from {}", client.name, client.host);
    courier.deliver(from, fmt::format("* welcome {}@{}, {} online: {}\n", client.name, client.host,
                                      order_.size(), roster()));
    broadcast(from,
              fmt::format("* {}@{} joined ({} online)\n", client.name, client.host, order_.size()),
              courier);
  }

  void member_line(ConnectionId from, Client& client, std::string_view line, Courier& courier) {
    if (!line.starts_with('/')) {
      metrics::add(metrics_.here().chat_lines);
      broadcast(from, fmt::format("[{}@{}] {}\n", client.name, client.host, line), courier);
      return;
    }
    const auto [command, argument] = parse_command(line);
    if (command == "/who") {
      courier.deliver(from, fmt::format("* {} online: {}\n", order_.size(), roster()));
    } else if (command == "/nick") {
      if (argument.empty())
        courier.deliver(from, "! usage: /nick NAME\n");
      else
        rename(from, client, argument, courier);
    } else if (command == "/help") {
      help(from, courier);
    } else if (command == "/me") {
      if (argument.empty())
        courier.deliver(from, "! usage: /me TEXT\n");
      else {
        metrics::add(metrics_.here().chat_lines);
        broadcast(from, fmt::format("* {} {}\n", client.name, argument), courier);
      }
    } else if (command != "/quit") {  // /quit is the session's; it closes
      courier.deliver(from, fmt::format("! unknown command: {}\n", command));
    }
  }

  void rename(ConnectionId from, Client& client, std::string_view name, Courier& courier) {
    if (!usable_name(from, name, courier)) return;
    const std::string old = std::move(client.name);
    names_.erase(fold_case(old));
    client.name = name;
    names_.emplace(fold_case(client.name), from);
    courier.deliver(from, fmt::format("* you are now {}\n", client.name));
    if (client.name == old) return;  // nothing for the others to learn otherwise
    log_event(from, client, {{"CHAT_OLD_NAME", old}}, "chat: {} is now {}", old, client.name);
    broadcast(from, fmt::format("* {} is now {}\n", old, client.name), courier);
  }

  // "chat: bob left: quit \"gone fishing\"" after /quit, else the
  // connection's close reason: "chat: bob left: peer_closed". A connection
  // whose reason never came (its process killed) has none.
  void log_leave(ConnectionId who, const Client& client) {
    if (log_ == nullptr || !log_->should_log(spdlog::level::info)) return;
    std::string why;
    if (client.quit)
      why = client.reason.empty() ? ": quit" : fmt::format(": quit \"{}\"", client.reason);
    else if (!client.close_reason.empty())
      why = ": " + client.close_reason;
    if (client.close_reason.empty())
      log_event(who, client, {}, "chat: {} left{}", client.name, why);
    else
      log_event(who, client, {{"CLOSE_REASON", client.close_reason}}, "chat: {} left{}",
                client.name, why);
  }

  // One line at info about member `who`, with CHAT_NAME= (its name now),
  // CONNECTION_ID=, PEER= and `extra` as journal fields.
  template <typename... Args>
  void log_event(ConnectionId who, const Client& client, std::initializer_list<log::Field> extra,
                 fmt::format_string<Args...> format, Args&&... args) {
    if (log_ == nullptr || !log_->should_log(spdlog::level::info)) return;
    const std::string id = std::to_string(who);
    log::Field fields[4] = {{"CHAT_NAME", client.name}, {"CONNECTION_ID", id}};
    std::size_t count = 2;
    for (const log::Field& field : extra)
      if (count < std::size(fields)) fields[count++] = field;
    const log::FieldScope with_fields(std::span(fields, count));
    const log::PeerScope with_peer(client.peer);
    log_->info(format, std::forward<Args>(args)...);
  }

  // A valid name nobody else in the room has; a member may take another
  // spelling of its own.
  bool usable_name(ConnectionId from, std::string_view name, Courier& courier) {
    if (!is_valid_name(name)) {
      courier.deliver(
          from,
          fmt::format("! invalid name: 1-{} ASCII letters, digits, '.', '-' or '_'\n", kMaxName));
      return false;
    }
    const auto holder = names_.find(fold_case(name));
    if (holder != names_.end() && holder->second != from) {
      courier.deliver(from, fmt::format("! name taken: {}\n", name));
      return false;
    }
    return true;
  }

  void help(ConnectionId to, Courier& courier) {
    for (const std::string_view line : kHelp) courier.deliver(to, line);
  }

  void broadcast(ConnectionId except, std::string_view line, Courier& courier) {
    for (const auto& [joined, id] : order_)
      if (id != except) courier.deliver(id, line);
  }

  // Members' names in join order.
  std::string roster() const {
    std::string names;
    for (const auto& [joined, id] : order_) {
      if (!names.empty()) names += ", ";
      names += clients_.at(id).name;
    }
    return names;
  }

  const std::size_t max_line_;  // for the refusal of a longer line
  const std::size_t max_members_;
  const metrics::ListenerMetrics metrics_;  // joins, leaves, lines
  spdlog::logger* const log_;               // the listener's; null: no log lines
  std::unordered_map<ConnectionId, Client> clients_;
  std::map<std::uint64_t, ConnectionId> order_;          // members by join order
  std::unordered_map<std::string, ConnectionId> names_;  // case-folded name -> member
  std::uint64_t next_join_ = 0;
};

}  // namespace

std::unique_ptr<Service> make_chat_hub(const ChatSettings& settings,
                                       const ServiceContext& context) {
  return std::make_unique<ChatHub>(settings, context);
}

}  // namespace netcook::proto::chat
