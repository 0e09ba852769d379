#include "proto/chat/chat.hpp"

#include "proto/chat/room_text.hpp"
#include "proto/chat/text.hpp"
#include "proto/chat/wire.hpp"

#include <deque>
#include <stdexcept>
#include <utility>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace netcook::proto::chat {
namespace {

// Lines a member may type while the room has not answered its name claim
// yet (a join or a /nick); they are handled once it has. Past this, a
// line is refused and the member told (flood control paces a member far
// below it unless the bus is slow).
constexpr std::size_t kMaxWaiting = 100;

// A room shared with other daemons through a RoomBus. The room's state —
// who is in it, under which names, its last lines — is the bus's; this hub
// keeps its own members' part and turns the room's entries into lines, in
// the bus's order: nothing a member says reaches anyone, on this daemon or
// another, before it comes back from the bus as an entry. A member gets
// the entries that follow its own join entry, but not its own lines.
//
// A join's answer (the welcome, the roster, the history) and its entry
// come by different ways and may come in either order: an entry of this
// daemon's join whose answer has not come yet waits, with every entry
// after it, until it has (the bus answers every request, if only with
// `failed`).
class SharedRoom final : public Service {
 public:
  SharedRoom(const ChatSettings& settings, const ServiceContext& context,
             std::unique_ptr<RoomBus> bus)
      : max_line_(settings.max_line),
        metrics_(context.metrics),
        log_(context.log),
        bus_(std::move(bus)) {
    if (!context.wake) throw std::logic_error("a shared chat room needs its driver's wake");
    bus_->start(context.wake);
  }

  void message(ConnectionId from, std::string_view message, Courier& out) override {
    if (message.empty()) return;
    CountingCourier courier(out, metrics_);
    const char tag = message.front();
    message.remove_prefix(1);
    auto& client = clients_[from];
    if (tag == wire::kLine)
      line(from, client, message, courier);
    else
      client.take(from, tag, message, max_line_, courier);
  }

  void gone(ConnectionId who, Courier&) override {
    const auto it = clients_.find(who);
    if (it == clients_.end()) return;
    const Client client = std::move(it->second);
    clients_.erase(it);
    // A claim still unanswered may yet have made it a member: the bus
    // announces a leave only for a member the room has.
    if (client.announced)
      submit(BusRequest::Kind::leave, who, client.name.empty() ? client.claim : client.name,
             client.host, client.reason);
    if (client.state != State::member) return;
    metrics::add(metrics_.here().chat_leaves);
    log_.left(who, client);
  }

  void woken(Courier& out) override {
    CountingCourier courier(out, metrics_);
    news_.clear();
    bus_->take(news_);
    for (BusNews& news : news_) handle(news, courier);
  }

  // The members still in leave with the listener: the other daemons are
  // told (the bus publishes what it can before it goes).
  void ended(metrics::CloseReason why) noexcept override {
    try {
      for (auto& [id, client] : clients_) {
        // As in gone(): a claim unanswered may have made it a member.
        if (client.announced)
          submit(BusRequest::Kind::leave, id, client.name.empty() ? client.claim : client.name,
                 client.host, farewell(why));
        if (client.state != State::member) continue;
        if (client.close_reason.empty()) client.close_reason = metrics::to_string(why);
        metrics::add(metrics_.here().chat_leaves);
        log_.left(id, client);
      }
    } catch (...) {  // out of memory: the others will take this daemon for dead
    }
    clients_.clear();
  }

 private:
  // What the other daemons' members see as the reason this daemon's
  // members left with their listener.
  static std::string farewell(metrics::CloseReason why) {
    if (why == metrics::CloseReason::shutdown) return "server shutting down";
    if (why == metrics::CloseReason::listener_removed) return "room closed on its server";
    return std::string(metrics::to_string(why));
  }

  enum class State {
    nameless,  // until it sends a name the room accepts
    joining,   // its join is on the bus: the room has not answered
    member,
  };

  struct Client : MemberFacts {
    State state = State::nameless;
    std::string claim;     // joining, or renaming: the name asked for
    bool renaming = false;  // a member whose /nick is on the bus
    // It claimed a name once: the room may have it, so it leaves the room
    // when it goes (a leave for a member the room does not have is
    // nothing).
    bool announced = false;
    EntryId since;         // a member gets the entries after its join's
    std::deque<std::string> waiting;  // lines typed while a claim is on the bus
  };

  void submit(BusRequest::Kind kind, ConnectionId member, std::string name, std::string host,
              std::string text = {}) {
    bus_->submit(BusRequest{kind, member, std::move(name), std::move(host), std::move(text)});
  }

  void line(ConnectionId from, Client& client, std::string_view text, Courier& courier) {
    if (client.state == State::joining || client.renaming) {
      if (client.waiting.size() >= kMaxWaiting)
        courier.deliver(from, "! line not sent: still waiting for the room to answer\n");
      else
        client.waiting.emplace_back(text);
      return;
    }
    if (client.state == State::nameless)
      name_line(from, client, text, courier);
    else
      member_line(from, client, text, courier);
  }

  // Lines typed while a claim was on the bus, now that it is answered,
  // until one makes another claim.
  void take_waiting(ConnectionId id, Client& client, Courier& courier) {
    while (!client.waiting.empty() && client.state != State::joining && !client.renaming) {
      const std::string text = std::move(client.waiting.front());
      client.waiting.pop_front();
      line(id, client, text, courier);
    }
  }

  void name_line(ConnectionId from, Client& client, std::string_view text, Courier& courier) {
    text = trim(text);
    if (text.empty()) return;
    if (text.starts_with('/')) {
      if (parse_command(text).word == "/help")
        deliver_help(from, courier);
      else
        courier.deliver(from, "! send your name first\n");
      return;
    }
    if (text.starts_with("NAME: ")) text = trim(text.substr(6));
    if (!is_valid_name(text)) {
      courier.deliver(from, invalid_name_line());
      return;
    }
    client.state = State::joining;
    client.announced = true;
    client.claim = text;
    submit(BusRequest::Kind::join, from, client.claim, client.host);
  }

  void member_line(ConnectionId from, Client& client, std::string_view text, Courier& courier) {
    if (!text.starts_with('/')) {
      metrics::add(metrics_.here().chat_lines);
      submit(BusRequest::Kind::say, from, client.name, client.host, std::string(text));
      return;
    }
    const auto [command, argument] = parse_command(text);
    if (command == "/who") {
      submit(BusRequest::Kind::who, from, client.name, client.host);
    } else if (command == "/nick") {
      rename(from, client, argument, courier);
    } else if (command == "/help") {
      deliver_help(from, courier);
    } else if (command == "/me") {
      if (argument.empty()) {
        courier.deliver(from, "! usage: /me TEXT\n");
      } else {
        metrics::add(metrics_.here().chat_lines);
        submit(BusRequest::Kind::act, from, client.name, client.host, std::string(argument));
      }
    } else if (command != "/quit") {  // /quit is the session's; it closes
      courier.deliver(from, fmt::format("! unknown command: {}\n", command));
    }
  }

  void rename(ConnectionId from, Client& client, std::string_view name, Courier& courier) {
    if (name.empty()) {
      courier.deliver(from, "! usage: /nick NAME\n");
      return;
    }
    if (!is_valid_name(name)) {
      courier.deliver(from, invalid_name_line());
      return;
    }
    if (name == client.name) {  // nothing for the room to learn
      courier.deliver(from, fmt::format("* you are now {}\n", client.name));
      return;
    }
    client.renaming = true;
    client.claim = name;
    submit(BusRequest::Kind::rename, from, client.name, client.host, client.claim);
  }

  void handle(BusNews& news, Courier& courier) {
    switch (news.kind) {
      case BusNews::Kind::entry:
        parked_.push_back(std::move(news.entry));
        drain(courier);
        return;
      case BusNews::Kind::answer:
        answer(news.answer, courier);
        if (awaiting_ == news.answer.member) {
          awaiting_.reset();
          drain(courier);
        }
        return;
      case BusNews::Kind::link_lost:
        tell_members("* room link lost; reconnecting\n", courier);
        return;
      case BusNews::Kind::link_restored:
        tell_members("* room link restored\n", courier);
        return;
      case BusNews::Kind::forgotten:
        for (const auto& [id, client] : clients_)
          if (client.state == State::member)
            submit(BusRequest::Kind::rejoin, id, client.name, client.host);
        return;
      case BusNews::Kind::dropped:
        if (const auto it = clients_.find(news.member); it != clients_.end())
          courier.deliver(news.member, fmt::format("! not sent: {}\n", news.text));
        return;
    }
  }

  // Applies the entries in order, but for one of this daemon's joins whose
  // answer has not come: it and all after it wait for that answer.
  void drain(Courier& courier) {
    while (!awaiting_ && !parked_.empty()) {
      const Entry& entry = parked_.front();
      if (entry.ours && entry.kind == Entry::Kind::joined) {
        const auto it = clients_.find(entry.member);
        if (it != clients_.end() && it->second.state == State::joining) {
          awaiting_ = entry.member;
          return;
        }
      }
      apply(entry, courier);
      parked_.pop_front();
    }
  }

  void apply(const Entry& entry, Courier& courier) {
    const std::string text = entry_text(entry);
    for (const auto& [id, client] : clients_) {
      if (client.state != State::member || entry.id <= client.since) continue;
      if (entry.ours && entry.member == id) {
        if (entry.kind == Entry::Kind::renamed)
          courier.deliver(id, fmt::format("* you are now {}\n", entry.name));
        continue;  // its own lines, join and leave are not echoed
      }
      if (!text.empty()) courier.deliver(id, text);
    }
  }

  // What the other members see of an entry; empty for nothing.
  static std::string entry_text(const Entry& entry) {
    switch (entry.kind) {
      case Entry::Kind::joined:
        return joined_line(entry.name, entry.host, entry.online);
      case Entry::Kind::rejoined:
        return {};
      case Entry::Kind::left:
        return left_line(entry.name, entry.host, entry.online, entry.text);
      case Entry::Kind::renamed:
        return renamed_line(entry.text, entry.name);
      case Entry::Kind::line:
        return said_line(entry.name, entry.host, entry.text);
      case Entry::Kind::action:
        return acted_line(entry.name, entry.text);
    }
    return {};
  }

  void answer(const Answer& answer, Courier& courier) {
    const auto it = clients_.find(answer.member);
    if (it == clients_.end()) return;  // gone meanwhile (its leave is on the bus)
    const ConnectionId id = it->first;
    Client& client = it->second;
    switch (answer.to) {
      case BusRequest::Kind::join:
        joined(id, client, answer, courier);
        break;
      case BusRequest::Kind::rejoin:
        if (answer.outcome == Answer::Outcome::taken && client.state == State::member) {
          // Someone took the name while the room had forgotten this member.
          courier.deliver(id, fmt::format("! name taken while the room link was down: {}; send "
                                          "your name\n",
                                          client.name));
          metrics::add(metrics_.here().chat_leaves);
          log_.left(id, client);
          client.state = State::nameless;
          client.name.clear();
          client.renaming = false;  // an answer to it finds a client without a name
          client.waiting.clear();
        }
        return;
      case BusRequest::Kind::rename:
        renamed(id, client, answer, courier);
        break;
      case BusRequest::Kind::who:
        if (answer.outcome == Answer::Outcome::ok)
          courier.deliver(id, who_line(answer.online, answer.roster));
        else
          courier.deliver(id, "! room link down; try again later\n");
        return;
      default:
        return;
    }
    take_waiting(id, client, courier);
  }

  void joined(ConnectionId id, Client& client, const Answer& answer, Courier& courier) {
    if (client.state != State::joining) return;
    client.state = State::nameless;
    switch (answer.outcome) {
      case Answer::Outcome::ok:
        break;
      case Answer::Outcome::taken:
        courier.deliver(id, taken_line(client.claim));
        return;
      case Answer::Outcome::full:
        courier.deliver(id, full_line(answer.online));
        return;
      case Answer::Outcome::failed:
        courier.deliver(id, "! room link down; try again later\n");
        return;
    }
    client.state = State::member;
    client.name = std::move(client.claim);
    client.since = answer.entry;
    metrics::add(metrics_.here().chat_joins);
    log_.joined(id, client);
    courier.deliver(id, welcome_line(client.name, client.host, answer.online, answer.roster));
    std::vector<std::string> lines;
    lines.reserve(answer.history.size());
    for (const Entry& entry : answer.history) lines.push_back(entry_text(entry));
    deliver_history(id, lines, courier);
  }

  void renamed(ConnectionId id, Client& client, const Answer& answer, Courier& courier) {
    if (!client.renaming) return;
    client.renaming = false;
    switch (answer.outcome) {
      case Answer::Outcome::ok: {
        std::string old = std::exchange(client.name, std::move(client.claim));
        log_.renamed(id, client, old);
        return;  // "you are now" comes with its entry, in the room's order
      }
      case Answer::Outcome::taken:
        courier.deliver(id, taken_line(client.claim));
        return;
      case Answer::Outcome::full:
      case Answer::Outcome::failed:
        courier.deliver(id, "! room link down; try again later\n");
        return;
    }
  }

  void tell_members(std::string_view line, Courier& courier) {
    for (const auto& [id, client] : clients_)
      if (client.state == State::member) courier.deliver(id, line);
  }

  const std::size_t max_line_;
  const metrics::ListenerMetrics metrics_;
  MemberLog log_;
  std::unique_ptr<RoomBus> bus_;
  std::unordered_map<ConnectionId, Client> clients_;
  std::deque<Entry> parked_;                // entries not applied yet, in order
  std::optional<ConnectionId> awaiting_;  // the member whose join answer they wait for
  std::vector<BusNews> news_;             // reused by woken()
};

}  // namespace

std::unique_ptr<Service> make_shared_room(const ChatSettings& settings,
                                          const ServiceContext& context,
                                          std::unique_ptr<RoomBus> bus) {
  return std::make_unique<SharedRoom>(settings, context, std::move(bus));
}

}  // namespace netcook::proto::chat
