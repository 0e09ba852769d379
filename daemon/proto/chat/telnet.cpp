#include "proto/chat/telnet.hpp"

namespace netcook::proto::chat {
namespace {

constexpr unsigned char kIac = 255;
constexpr unsigned char kSb = 250;
constexpr unsigned char kSe = 240;
constexpr unsigned char kWill = 251;  // WILL, WONT, DO, DONT: 251 to 254
constexpr unsigned char kWont = 252;
constexpr unsigned char kDo = 253;
constexpr unsigned char kDont = 254;

}  // namespace

std::string_view TelnetFilter::filter(std::string_view input, std::string& scratch) {
  // Plain text, the usual case, goes through as it came.
  if (state_ == State::data && input.find(static_cast<char>(kIac)) == std::string_view::npos)
    return input;
  scratch.clear();
  while (!input.empty()) {
    if (state_ == State::data) {
      const std::size_t iac = input.find(static_cast<char>(kIac));
      scratch.append(input.substr(0, iac));
      if (iac == std::string_view::npos) break;
      input.remove_prefix(iac + 1);
      state_ = State::command;
      continue;
    }
    step(static_cast<unsigned char>(input.front()), scratch);
    input.remove_prefix(1);
  }
  return scratch;
}

void TelnetFilter::step(unsigned char byte, std::string& out) {
  switch (state_) {
    case State::data:
      if (byte == kIac)
        state_ = State::command;
      else
        out.push_back(static_cast<char>(byte));
      return;
    case State::command:
      command(byte, out);
      return;
    case State::option:
      option(byte);
      state_ = State::data;
      return;
    case State::subnegotiation:
      if (++subnegotiated_ > kMaxSubnegotiation) {
        state_ = State::data;  // given up on: this byte is data again
        step(byte, out);
      } else if (byte == kIac) {
        state_ = State::subnegotiation_command;
      }
      return;
    case State::subnegotiation_command:
      ++subnegotiated_;
      if (byte == kIac)
        state_ = State::subnegotiation;  // IAC IAC: the subnegotiation's data
      else if (byte == kSe)
        state_ = State::data;
      else
        command(byte, out);
      return;
  }
}

void TelnetFilter::command(unsigned char byte, std::string& out) {
  if (byte == kIac) {
    out.push_back(static_cast<char>(kIac));
    state_ = State::data;
  } else if (byte == kSb) {
    subnegotiated_ = 0;
    state_ = State::subnegotiation;
  } else if (byte >= kWill && byte < kIac) {
    verb_ = byte;
    state_ = State::option;
  } else {
    state_ = State::data;  // a two-byte command, or no command at all
  }
}

void TelnetFilter::option(unsigned char option) {
  if (verb_ != kDo && verb_ != kWill) return;  // WONT, DONT: already so
  replies_.push_back(static_cast<char>(kIac));
  replies_.push_back(static_cast<char>(verb_ == kDo ? kWont : kDont));
  replies_.push_back(static_cast<char>(option));
}

}  // namespace netcook::proto::chat
