#include "proto/chat/room_text.hpp"

#include "proto/chat/text.hpp"
#include "proto/chat/wire.hpp"

#include <span>

namespace netcook::proto::chat {
namespace {

// The answer to /help: every command and what it does, for a client that
// has only nc or telnet and no manual.
constexpr std::string_view kHelp[] = {
    "* commands (any other line is sent to the room):\n",
    "* /who - who is online\n",
    "* /nick NAME - change your name\n",
    "* /me TEXT - the others see: * NAME TEXT\n",
    "* /quit [REASON] - leave; the others see REASON\n",
    "* /help - this list\n",
};

// Members' names in join order.
std::string join_names(const std::vector<std::string>& roster) {
  std::string names;
  for (const std::string& name : roster) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  return names;
}

}  // namespace

Command parse_command(std::string_view line) noexcept {
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return {line, {}};
  return {line.substr(0, space), trim(line.substr(space + 1))};
}

void deliver_help(ConnectionId to, Courier& courier) {
  for (const std::string_view line : kHelp) courier.deliver(to, line);
}

std::string welcome_line(std::string_view name, std::string_view host, std::size_t online,
                         const std::vector<std::string>& roster) {
  return fmt::format("* welcome {}@{}, {} online: {}\n", name, host, online, join_names(roster));
}

std::string joined_line(std::string_view name, std::string_view host, std::size_t online) {
  return fmt::format("* {}@{} joined ({} online)\n", name, host, online);
}

std::string left_line(std::string_view name, std::string_view host, std::size_t online,
                      std::string_view reason) {
  return fmt::format("* {}@{} left ({} online){}{}\n", name, host, online,
                     reason.empty() ? "" : ": ", reason);
}

std::string renamed_line(std::string_view old_name, std::string_view name) {
  return fmt::format("* {} is now {}\n", old_name, name);
}

std::string said_line(std::string_view name, std::string_view host, std::string_view text) {
  return fmt::format("[{}@{}] {}\n", name, host, text);
}

std::string acted_line(std::string_view name, std::string_view text) {
  return fmt::format("* {} {}\n", name, text);
}

std::string who_line(std::size_t online, const std::vector<std::string>& roster) {
  return fmt::format("* {} online: {}\n", online, join_names(roster));
}

std::string invalid_name_line() {
  return fmt::format("! invalid name: 1-{} ASCII letters, digits, '.', '-' or '_'\n", kMaxName);
}

std::string taken_line(std::string_view name) {
  return fmt::format("! name taken: {}\n", name);
}

std::string full_line(std::size_t online) {
  return fmt::format("! room full: {} online; try again later\n", online);
}

void MemberFacts::hello(std::string_view message) {
  const auto space = message.find(' ');
  host = message.substr(0, space);
  if (space != std::string_view::npos) peer = message.substr(space + 1);
}

void MemberFacts::take(ConnectionId from, char tag, std::string_view payload,
                       std::size_t max_line, Courier& courier) {
  switch (tag) {
    case wire::kHello:
      hello(payload);
      return;
    case wire::kTooLong:
      courier.deliver(from, fmt::format("! line too long (limit {} bytes)\n", max_line));
      return;
    case wire::kQuit:
      quit = true;
      reason = payload;
      return;
    case wire::kClosed:
      close_reason = payload;
      return;
    default:
      return;
  }
}

void MemberLog::joined(ConnectionId who, const MemberFacts& member) {
  event(who, member, {}, "chat: {} joined from {}", member.name, member.host);
}

void MemberLog::renamed(ConnectionId who, const MemberFacts& member, std::string_view old_name) {
  event(who, member, {{"CHAT_OLD_NAME", old_name}}, "chat: {} is now {}", old_name, member.name);
}

void MemberLog::left(ConnectionId who, const MemberFacts& member) {
  if (log_ == nullptr || !log_->should_log(spdlog::level::info)) return;
  std::string why;
  if (member.quit)
    why = member.reason.empty() ? ": quit" : fmt::format(": quit \"{}\"", member.reason);
  else if (!member.close_reason.empty())
    why = ": " + member.close_reason;
  if (member.close_reason.empty())
    event(who, member, {}, "chat: {} left{}", member.name, why);
  else
    event(who, member, {{"CLOSE_REASON", member.close_reason}}, "chat: {} left{}", member.name,
          why);
}

// One line at info about member `who`, with CHAT_NAME= (its name now),
// CONNECTION_ID=, PEER= and `extra` as journal fields.
template <typename... Args>
void MemberLog::event(ConnectionId who, const MemberFacts& member,
                      std::initializer_list<log::Field> extra, fmt::format_string<Args...> format,
                      Args&&... args) {
  if (log_ == nullptr || !log_->should_log(spdlog::level::info)) return;
  const std::string id = std::to_string(who);
  log::Field fields[4] = {{"CHAT_NAME", member.name}, {"CONNECTION_ID", id}};
  std::size_t count = 2;
  for (const log::Field& field : extra)
    if (count < std::size(fields)) fields[count++] = field;
  const log::FieldScope with_fields(std::span(fields, count));
  const log::PeerScope with_peer(member.peer);
  log_->info(format, std::forward<Args>(args)...);
}

}  // namespace netcook::proto::chat
