#pragma once

// Telnet commands (RFC 854, 855) taken out of a chat client's bytes, so
// that telnet(1) can be a chat client: its Ctrl-C (IAC IP) or option
// negotiation must neither reach the others as garbage nor join the next
// line. Every option is refused: IAC DO x is answered IAC WONT x, IAC WILL
// x is answered IAC DONT x (RFC 854's way to stay in the default mode; a
// WONT or DONT is never answered, so no loop). telnet(1) needs it: after a
// Ctrl-C it sends IAC DO TIMING-MARK and shows nothing more until that is
// answered.
//
// Removed: IAC and the byte after it (NOP, DM, BRK, IP, AO, AYT, EC, EL,
// GA, a stray SE, or any other); IAC WILL/WONT/DO/DONT and its option byte;
// a subnegotiation IAC SB ... IAC SE, inside which IAC IAC is its data and
// IAC followed by anything else but SE ends it as a command of its own (as
// libtelnet reads a broken one). IAC IAC is one 0xFF data byte.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace netcook::proto::chat {

// Bytes of one subnegotiation discarded at most; past them the bytes are
// data again, so an SB that never ends cannot swallow a client's input. Real
// ones (window size, terminal type, environment) are far shorter.
inline constexpr std::size_t kMaxSubnegotiation = 1024;

class TelnetFilter {
 public:
  // The data bytes of `input`, without the commands in it. A command cut by
  // the end of `input` is completed by the next call. Returns `input`
  // itself when it holds no IAC and no command is under way (the usual
  // case), else a view of `scratch`, which it overwrites. The state is a
  // few bytes, whatever the input.
  std::string_view filter(std::string_view input, std::string& scratch);

  // True while a command has begun and not ended.
  bool inside_command() const noexcept { return state_ != State::data; }

  // The answers to the negotiation filter() has seen since the last call,
  // to be sent to the client; three bytes per request, so never more than
  // the input they answer.
  bool has_replies() const noexcept { return !replies_.empty(); }
  std::string take_replies() noexcept { return std::exchange(replies_, std::string()); }

 private:
  enum class State : unsigned char {
    data,
    command,                 // after IAC
    option,                  // after IAC WILL/WONT/DO/DONT
    subnegotiation,          // after IAC SB
    subnegotiation_command,  // after IAC inside a subnegotiation
  };

  // Handles one byte of a command; appends to `out` what is data.
  void step(unsigned char byte, std::string& out);
  // The byte after an IAC (outside a subnegotiation, or ending one).
  void command(unsigned char byte, std::string& out);

  // The byte after an option verb: the option it is about.
  void option(unsigned char option);

  State state_ = State::data;
  unsigned char verb_ = 0;  // WILL, WONT, DO or DONT, in State::option
  std::string replies_;
  std::size_t subnegotiated_ = 0;  // bytes of the current subnegotiation so far
};

}  // namespace netcook::proto::chat
