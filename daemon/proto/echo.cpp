#include "proto/echo.hpp"

#include <array>
#include <utility>

namespace netcook::proto {
namespace {

class RawEchoSession final : public Session {
 public:
  void receive(std::string_view data, Outbox& out) override { out.append(data); }
};

class LineEchoSession final : public Session {
 public:
  LineEchoSession(std::string prefix, std::size_t max_line)
      : prefix_(std::move(prefix)), max_line_(max_line) {}

  void receive(std::string_view data, Outbox& out) override {
    while (!data.empty()) {
      const auto newline = data.find('\n');
      if (newline == std::string_view::npos) {
        hold(data, out);
        return;
      }
      emit(data.substr(0, newline + 1), out);
      in_line_ = false;
      data.remove_prefix(newline + 1);
    }
  }

  void peer_closed(Outbox& out) override {
    if (!line_.empty()) emit({}, out);
  }

  bool partial() const noexcept override { return in_line_ || !line_.empty(); }

 private:
  // Keeps the start of an unfinished line, sending what would exceed
  // max_line on at once.
  void hold(std::string_view data, Outbox& out) {
    while (line_.size() + data.size() >= max_line_) {
      const std::size_t take = max_line_ - line_.size();
      emit(data.substr(0, take), out);
      in_line_ = true;
      data.remove_prefix(take);
    }
    line_.append(data);
  }

  // Writes the held bytes followed by `tail`, with the prefix when this is
  // the first piece of a line.
  void emit(std::string_view tail, Outbox& out) {
    if (!in_line_) out.append(prefix_);
    out.append(line_);
    out.append(tail);
    std::string().swap(line_);
  }

  const std::string prefix_;
  const std::size_t max_line_;
  std::string line_;      // received part of the current line, < max_line_
  bool in_line_ = false;  // a piece of the current line was already sent
};

}  // namespace

std::string expand_prefix(std::string_view prefix, const SessionContext& context) {
  const std::array<std::pair<std::string_view, std::string>, 4> placeholders{{
      {"{pid}", std::to_string(context.pid)},
      {"{thread}", context.thread},
      {"{listener}", std::string(context.listener)},
      {"{peer}", context.peer},
  }};
  std::string result;
  while (!prefix.empty()) {
    bool replaced = false;
    for (const auto& [name, value] : placeholders) {
      if (prefix.starts_with(name)) {
        result += value;
        prefix.remove_prefix(name.size());
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      result += prefix.front();
      prefix.remove_prefix(1);
    }
  }
  return result;
}

std::unique_ptr<Session> make_echo_session(const EchoSettings& settings,
                                           const SessionContext& context) {
  if (!settings.line_mode) return std::make_unique<RawEchoSession>();
  return std::make_unique<LineEchoSession>(expand_prefix(settings.prefix, context),
                                           settings.max_line);
}

}  // namespace netcook::proto
