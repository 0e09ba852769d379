#pragma once

// What the two kinds of room (a listener's own, and one shared with other
// daemons over a bus) have in common: the lines members see, the commands
// they type, the log lines about them, and the counting of deliveries.
// Private to the chat protocol.

#include "log/fields.hpp"
#include "metrics/arena.hpp"
#include "proto/service.hpp"

#include <fmt/format.h>
#include <spdlog/logger.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::proto::chat {

// A line that starts with '/': the command word, and the argument after
// the first space without its blanks.
struct Command {
  std::string_view word;
  std::string_view argument;
};

Command parse_command(std::string_view line) noexcept;

// The answer to /help, one delivery per line.
void deliver_help(ConnectionId to, Courier& courier);

// The lines of the room, each ending in LF.
std::string welcome_line(std::string_view name, std::string_view host, std::size_t online,
                         const std::vector<std::string>& roster);
std::string joined_line(std::string_view name, std::string_view host, std::size_t online);
std::string left_line(std::string_view name, std::string_view host, std::size_t online,
                      std::string_view reason);
std::string renamed_line(std::string_view old_name, std::string_view name);
std::string said_line(std::string_view name, std::string_view host, std::string_view text);
std::string acted_line(std::string_view name, std::string_view text);
std::string who_line(std::size_t online, const std::vector<std::string>& roster);
std::string invalid_name_line();
std::string taken_line(std::string_view name);
std::string full_line(std::size_t online);

// Sends `lines` (the room's last lines, oldest first) to a new member
// between "* history: N lines" and "* end of history"; nothing when
// there are none.
template <typename Lines>
void deliver_history(ConnectionId to, const Lines& lines, Courier& courier) {
  if (lines.empty()) return;
  courier.deliver(to, fmt::format("* history: {} line{}\n", lines.size(),
                                  lines.size() == 1 ? "" : "s"));
  for (const auto& line : lines) courier.deliver(to, line);
  courier.deliver(to, "* end of history\n");
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

// What the room's log lines say about a member.
struct MemberFacts {
  std::string host;
  std::string peer;          // "127.0.0.1:51234", for the log lines
  std::string name;          // empty until joined
  bool quit = false;         // it sent /quit
  std::string reason;        // given with /quit, for the others to see
  std::string close_reason;  // its connection's, once closed (wire::kClosed)

  // "HOST PEER" from the session's hello; a session that sends no PEER
  // leaves it empty.
  void hello(std::string_view message);

  // A session's message about its member that every room handles alike
  // (wire.hpp: hello, too long, quit, closed), `tag` and `payload` apart;
  // lines are the room's own. Anything else is ignored (not from a chat
  // session of this binary).
  void take(ConnectionId from, char tag, std::string_view payload, std::size_t max_line,
            Courier& courier);
};

// Members' joins, renames and leaves, logged at info in the listener's
// logger with CHAT_NAME= (and PEER=, CONNECTION_ID=) as journal fields, the
// same under every model and whatever the room.
class MemberLog {
 public:
  explicit MemberLog(spdlog::logger* log) noexcept : log_(log) {}

  void joined(ConnectionId who, const MemberFacts& member);
  void renamed(ConnectionId who, const MemberFacts& member, std::string_view old_name);
  // "chat: bob left: quit \"gone fishing\"" after /quit, else the
  // connection's close reason: "chat: bob left: peer_closed". A connection
  // whose reason never came (its process killed) has none.
  void left(ConnectionId who, const MemberFacts& member);

 private:
  template <typename... Args>
  void event(ConnectionId who, const MemberFacts& member, std::initializer_list<log::Field> extra,
             fmt::format_string<Args...> format, Args&&... args);

  spdlog::logger* const log_;  // the listener's; null: no log lines
};

// A room's last lines, for new members (history:); at most `capacity`.
class History {
 public:
  explicit History(std::size_t capacity) : capacity_(capacity) {}

  void add(std::string line) {
    if (capacity_ == 0) return;
    if (lines_.size() == capacity_) lines_.pop_front();
    lines_.push_back(std::move(line));
  }
  const std::deque<std::string>& lines() const noexcept { return lines_; }

 private:
  const std::size_t capacity_;
  std::deque<std::string> lines_;
};

}  // namespace netcook::proto::chat
