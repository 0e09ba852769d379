// Fuzzes the chat protocol with several members: chat sessions and their hub
// wired as a single-threaded driver wires them (select/reactor.cpp): an
// Uplink calls the hub at once, the Courier appends to a capped outbox and
// marks a connection that overflows it to be cut off, and cut-offs are
// closed (the hub hears gone()) after the step that caused them.
//
// Checked on every step, cheaply: no crash; no outbox above its cap; every
// delivery is one line ending in "\n", without control characters, and no
// longer than a line may grow (sanitizing may triple max_line, plus names,
// host and roster); and nothing is ever delivered to a connection after the
// hub heard gone() for it.
//
// Input: three setting bytes (members; max_line; max_members and outbox cap),
// then steps: a byte choosing the member and what it does (send the next
// N bytes, read its outbox, hang up, reconnect), N given by the next byte.

#include "input_reader.hpp"
#include "proto/chat/chat.hpp"
#include "proto/chat/text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace netcook::proto;
using namespace netcook::proto::chat;

constexpr std::size_t kMaxConnections = 64;  // over a whole input
constexpr std::array<std::string_view, 4> kHosts{"127.0.0.1", "::1", "unix", "127.255.255.254"};

using netcook::fuzz::check;
using Reader = netcook::fuzz::InputReader;

class Room final : private Courier {
 public:
  Room(const ChatSettings& settings, std::size_t max_outbox)
      : settings_(settings),
        max_outbox_(max_outbox),
        hub_(make_chat_hub(settings, {})) {}

  // Opens a new connection in slot `slot`, replacing one that has ended.
  void connect(std::size_t slot) {
    if (connections_.size() >= kMaxConnections) return;
    if (slot < slots_.size() && !connections_[slots_[slot]]->closed) return;
    const std::size_t index = connections_.size();
    auto connection = std::make_unique<Connection>(*this, index);
    connection->context.listener = "chat";
    connection->context.peer_host = kHosts[index % kHosts.size()];
    connection->context.peer = connection->context.peer_host + ":4000";
    connection->context.id = index;
    connection->context.uplink = connection.get();
    connection->session = make_chat_session(settings_, connection->context);
    connections_.push_back(std::move(connection));
    if (slot >= slots_.size()) slots_.resize(slot + 1);
    slots_[slot] = index;
    Connection& opened = *connections_.back();
    opened.session->open(opened.out);
    settle(opened);
  }

  // As the core does, a connection whose Outbox is full is not read. The
  // session's own answers (Telnet refusals) come on top of the Outbox's
  // limit, never more than the bytes they answer.
  void receive(std::size_t slot, std::string_view bytes) {
    if (bytes.empty()) return;
    if (Connection* connection = open_in(slot)) {
      if (connection->out.size() >= max_outbox_) return;
      largest_receive_ = std::max(largest_receive_, bytes.size());
      connection->session->receive(bytes, connection->out);
      settle(*connection);
    }
  }

  // The client reads everything it was sent.
  void read(std::size_t slot) {
    if (Connection* connection = open_in(slot)) connection->out.consume(connection->out.size());
  }

  void hang_up(std::size_t slot) {
    if (Connection* connection = open_in(slot)) {
      connection->session->peer_closed(connection->out);
      if (!connection->closed) close(*connection, netcook::metrics::CloseReason::peer_closed);
      settle(*connection);
    }
  }

  void hang_up_all() {
    for (std::size_t slot = 0; slot < slots_.size(); ++slot) hang_up(slot);
  }

 private:
  struct Connection final : Uplink {
    Connection(Room& owner, std::size_t index) : room(owner), id(index) {}
    void send(std::string_view message) override {
      check(!closed);  // after closed(), a session says nothing more
      room.hub_->message(id, message, room);
    }

    Room& room;
    const ConnectionId id;
    SessionContext context;
    std::unique_ptr<Session> session;
    Outbox out;
    bool failed = false;  // over max_outbox: to be cut off
    bool closed = false;  // the hub heard gone()
  };

  Connection* open_in(std::size_t slot) {
    if (slot >= slots_.size()) return nullptr;
    Connection& connection = *connections_[slots_[slot]];
    return connection.closed ? nullptr : &connection;
  }

  void deliver(ConnectionId to, std::string_view bytes) override {
    check(to < connections_.size());
    Connection& connection = *connections_[to];
    check(!connection.closed);  // a member that left gets nothing
    check_line(bytes);
    if (connection.failed) return;
    if (connection.out.size() + bytes.size() > max_outbox_) {
      connection.failed = true;
      cut_off_.push_back(to);
      return;
    }
    connection.out.append(bytes);
  }

  // One line, safe for a terminal, of bounded length.
  void check_line(std::string_view line) const {
    check(!line.empty() && line.back() == '\n');
    line.remove_suffix(1);
    for (const char c : line) {
      const auto byte = static_cast<unsigned char>(c);
      check(byte != 0x7F && (byte >= 0x20 || c == '\t'));
    }
    const std::size_t host = kHosts.back().size();
    const std::size_t roster = settings_.max_members * (kMaxName + 2);
    check(line.size() <= 3 * settings_.max_line + 2 * kMaxName + host + roster + 64);
  }

  // After a step: the session's own output, its wish to close, and every
  // connection cut off meanwhile (closing one may cut off others).
  void settle(Connection& connection) {
    check(connection.out.size() <= max_outbox_ + largest_receive_);
    if (connection.session->closing() && !connection.closed)
      close(connection, netcook::metrics::CloseReason::session_closed);
    while (!cut_off_.empty()) {
      Connection& cut = *connections_[cut_off_.back()];
      cut_off_.pop_back();
      if (!cut.closed) close(cut, netcook::metrics::CloseReason::outbox_overflow);
    }
    for (const auto& each : connections_) check(each->out.size() <= max_outbox_ + largest_receive_);
  }

  // As every model closes one: the session hears why, then the hub gone().
  void close(Connection& connection, netcook::metrics::CloseReason why) {
    connection.out.clear();
    connection.session->closed(why);
    connection.closed = true;
    hub_->gone(connection.id, *this);
  }

  const ChatSettings settings_;
  const std::size_t max_outbox_;
  std::size_t largest_receive_ = 0;
  std::unique_ptr<Service> hub_;
  std::vector<std::unique_ptr<Connection>> connections_;  // by ConnectionId
  std::vector<std::size_t> slots_;                        // slot -> its latest connection
  std::vector<ConnectionId> cut_off_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader reader(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::size_t members = 1 + reader.byte() % 6;
  ChatSettings settings;
  settings.max_line = 16 + reader.byte() % 64;
  const std::uint8_t room_byte = reader.byte();
  settings.max_members = 1 + room_byte % 6;
  // Small caps too (the config's least is 4KiB), so cut-offs happen often.
  const std::size_t max_outbox = 64 + std::size_t{room_byte / 6u} * 64;

  Room room(settings, max_outbox);
  for (std::size_t slot = 0; slot < members; ++slot) room.connect(slot);
  while (!reader.done()) {
    const std::uint8_t step = reader.byte();
    const std::size_t slot = step % members;
    switch (step / members % 8) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
        room.receive(slot, reader.take(reader.byte()));
        break;
      case 5:
        room.read(slot);
        break;
      case 6:
        room.hang_up(slot);
        break;
      default:
        room.connect(slot);
        break;
    }
  }
  room.hang_up_all();
  return 0;
}
