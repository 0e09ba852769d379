#include "proto/chat/chat.hpp"
#include "proto/chat/telnet.hpp"
#include "proto/chat/text.hpp"
#include "proto/chat/wire.hpp"

#include <stdexcept>
#include <string>

namespace netcook::proto::chat {
namespace {

class ChatSession final : public Session {
 public:
  ChatSession(const ChatSettings& settings, const SessionContext& context)
      : uplink_(context.uplink),
        pacer_(context.pacer),
        max_line_(settings.max_line),
        idle_timeout_(settings.idle_timeout),
        read_timeout_(settings.read_timeout),
        host_(context.peer_host),
        peer_(context.peer) {
    if (uplink_ == nullptr) throw std::logic_error("a chat session needs its hub");
  }

  void open(Outbox& out) override {
    out.append("* welcome to netcookd chat; send your name (/help for commands)\n");
    send(wire::kHello, host_ + ' ' + peer_);
  }

  void receive(std::string_view data, Outbox& out) override {
    // Telnet commands go first: line ends, limits and cleaning apply to
    // what is left. Its option requests are refused at once.
    std::string without_telnet;
    data = telnet_.filter(data, without_telnet);
    if (telnet_.has_replies()) out.append(telnet_.take_replies());
    if (holding()) {
      held_.append(data);  // the core does not read while we hold; kept, just in case
      return;
    }
    hold_rest(handle(data));
  }

  bool holding() const noexcept override { return held_at_ < held_.size(); }

  void resume(Outbox&) override {
    const std::string_view rest = handle(std::string_view(held_).substr(held_at_));
    if (rest.empty()) {
      std::string().swap(held_);  // a member held once keeps no buffer
      held_at_ = 0;
    } else {
      held_at_ = held_.size() - rest.size();
    }
  }

  // A last line without its LF still counts (without a token: the member
  // sends nothing after it).
  void peer_closed(Outbox&) override {
    if (!discarding_ && !line_.empty() && !closing()) finish_line();
  }

  bool partial() const noexcept override {
    return discarding_ || !line_.empty() || telnet_.inside_command();
  }

  // The hub logs the member's leave with the reason.
  void closed(metrics::CloseReason why) override { send(wire::kClosed, metrics::to_string(why)); }

  // One line saying why, before the connection ends (best effort: a member
  // who does not read will rarely see its own).
  void last_words(Ending why, Outbox& out) override {
    switch (why) {
      case Ending::read_timeout:
        out.append("* line incomplete for " + read_timeout_ + "; goodbye\n");
        return;
      case Ending::idle_timeout:
        out.append("* idle for " + idle_timeout_ + "; goodbye\n");
        return;
      case Ending::shutdown:
        out.append("* server shutting down; goodbye\n");
        return;
      case Ending::listener_removed:
        out.append("* this room is closing; please reconnect\n");
        return;
      case Ending::outbox_overflow:
        out.append("* you are not reading; disconnected\n");
        return;
    }
  }

 private:
  // Frames `data` into lines and handles them, until one is refused a
  // token (flood control): what is left, from that line on, is returned
  // unhandled. Every line the member ends costs a token, whatever it
  // holds: a message, a command (a /nick flood is a flood too), a blank
  // line (the room never sees it, but a paste keeps its pace and order),
  // a line too long. The LF that ends a line already refused as too long
  // costs nothing (its error was sent when it grew too long).
  std::string_view handle(std::string_view data) {
    while (!data.empty() && !closing()) {
      if (discarding_) {
        const auto newline = data.find('\n');
        if (newline == std::string_view::npos) return {};
        data.remove_prefix(newline + 1);
        discarding_ = false;
        continue;
      }
      const auto newline = data.find('\n');
      if (newline == std::string_view::npos) {
        hold(data);
        return {};
      }
      if (pacer_ != nullptr && !pacer_->take()) return data;
      const auto tail = data.substr(0, newline);
      data.remove_prefix(newline + 1);
      std::size_t length = line_.size() + tail.size();
      const char last = !tail.empty() ? tail.back() : (!line_.empty() ? line_.back() : '\0');
      if (length > 0 && last == '\r') --length;
      if (length > max_line_) {
        too_long();
        discarding_ = false;  // the LF just seen ends the long line
        continue;
      }
      line_.append(tail);
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      finish_line();
    }
    return {};
  }

  // What handle() left when the member is out of tokens: at most one
  // read's worth (the core reads no more while we hold), the line_ started
  // before it aside.
  void hold_rest(std::string_view rest) {
    if (rest.empty()) return;
    held_.assign(rest);
    held_at_ = 0;
  }

  // Keeps the start of a line; a CR at max_line + 1 may still be the one
  // before the LF.
  void hold(std::string_view part) {
    const std::size_t length = line_.size() + part.size();
    if (length > max_line_ + 1 || (length == max_line_ + 1 && part.back() != '\r')) {
      too_long();
      return;
    }
    line_.append(part);
  }

  void too_long() {
    std::string().swap(line_);
    discarding_ = true;
    send(wire::kTooLong, {});
  }

  void finish_line() {
    std::string text = sanitize(line_);
    std::string().swap(line_);
    if (text == "/quit" || text.starts_with("/quit ")) {
      quit(std::string_view(text).substr(5));
      return;
    }
    // A line of nothing but blanks says nothing, like an empty one.
    if (!trim(text).empty()) send(wire::kLine, text);
  }

  // The hub keeps the reason for the line that tells the others this member
  // left, which it sends when it hears gone(), and for its log line.
  void quit(std::string_view reason) {
    send(wire::kQuit, trim(utf8_prefix(trim(reason), kMaxReason)));
    close_after_flush();
  }

  void send(char tag, std::string_view payload) {
    message_.assign(1, tag);
    message_.append(payload);
    uplink_->send(message_);
  }

  Uplink* const uplink_;
  Pacer* const pacer_;  // null: no flood control
  const std::size_t max_line_;
  const std::string idle_timeout_;  // short: no allocation
  const std::string read_timeout_;
  const std::string host_;
  const std::string peer_;  // "127.0.0.1:51234", for the hub's log lines
  TelnetFilter telnet_;
  std::string line_;         // the current line so far, at most max_line_ + 1 bytes
  bool discarding_ = false;  // inside a line that was too long, until its LF
  std::string message_;      // reused for every message to the hub
  // Input not handled for want of a token, from held_at_ on (flood
  // control); empty when nothing is held.
  std::string held_;
  std::size_t held_at_ = 0;
};

}  // namespace

std::unique_ptr<Session> make_chat_session(const ChatSettings& settings,
                                           const SessionContext& context) {
  return std::make_unique<ChatSession>(settings, context);
}

}  // namespace netcook::proto::chat
