// Fuzzes the echo session, mostly line mode: whatever the input and however
// it is cut into reads, the output must be exactly what echo.hpp promises,
// computed here independently: for every line, the expanded prefix then the
// line (a last line without LF too, at EOF). While a line is unfinished, the
// session may hold less than max_line of it, so after each read it must have
// sent the prefix and floor(L / max_line) * max_line bytes of a line of L
// bytes so far, and nothing of it before L reaches max_line.
//
// Input: a mode byte (bit 0: line mode, bit 1: EOF at the end, the rest:
// max_line from 16), a prefix length byte and the prefix, a count byte and
// that many read lengths, then the bytes the peer sends.

#include "input_reader.hpp"
#include "proto/echo.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace netcook::proto;

constexpr std::size_t kMinLine = 16;  // the smallest max_line the config allows

using netcook::fuzz::check;
using Reader = netcook::fuzz::InputReader;

SessionContext fuzz_context() {
  SessionContext context;
  context.listener = "echo";
  context.peer = "[::1]:4000";
  context.peer_host = "::1";
  context.pid = 77;
  context.thread = "echo/w0";
  return context;
}

// The prefix with its placeholders replaced, written apart from
// expand_prefix(): at each '{', the placeholder that starts there, if any
// (no placeholder is the start of another).
std::string expected_prefix(std::string_view prefix, const SessionContext& context) {
  const std::array<std::pair<std::string_view, std::string>, 4> values{{
      {"{pid}", std::to_string(context.pid)},
      {"{thread}", context.thread},
      {"{listener}", std::string(context.listener)},
      {"{peer}", context.peer},
  }};
  std::string out;
  for (std::size_t i = 0; i < prefix.size();) {
    const std::pair<std::string_view, std::string>* match = nullptr;
    if (prefix[i] == '{')
      for (const auto& value : values)
        if (prefix.substr(i).starts_with(value.first)) match = &value;
    if (match == nullptr) {
      out += prefix[i++];
      continue;
    }
    out += match->second;
    i += match->first.size();
  }
  return out;
}

// What line mode must have written once `input` arrived: complete lines,
// then the part of the unfinished one it may not hold back.
std::string expected_line_output(std::string_view input, const std::string& prefix,
                                 std::size_t max_line, bool eof) {
  std::string out;
  while (!input.empty()) {
    const auto newline = input.find('\n');
    if (newline == std::string_view::npos) break;
    out += prefix;
    out += input.substr(0, newline + 1);
    input.remove_prefix(newline + 1);
  }
  const std::size_t sent = eof ? input.size() : input.size() / max_line * max_line;
  if (sent > 0 || (eof && !input.empty())) {
    out += prefix;
    out += input.substr(0, sent);
  }
  return out;
}

void drain(Outbox& out, std::string& written) {
  written += out.pending();
  out.consume(out.pending().size());
  check(out.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader reader(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::uint8_t mode = reader.byte();
  EchoSettings settings;
  settings.line_mode = (mode & 1) != 0;
  const bool eof = (mode & 2) != 0;
  settings.max_line = kMinLine + (mode >> 2);
  settings.prefix = std::string(reader.take(reader.byte() % 32));
  std::vector<std::size_t> reads(reader.byte() % 16);
  for (auto& length : reads) length = reader.byte();
  const std::string_view input = reader.rest();

  const SessionContext context = fuzz_context();
  const std::string prefix = expected_prefix(settings.prefix, context);
  check(expand_prefix(settings.prefix, context) == prefix);
  auto session = make_echo_session(settings, context);
  Outbox out;
  std::string written;
  session->open(out);
  drain(out, written);
  check(written.empty());

  // The listed read lengths, then the rest in one read.
  std::size_t offset = 0;
  reads.push_back(input.size());
  for (const std::size_t length : reads) {
    const auto piece = input.substr(offset, length);
    if (piece.empty()) continue;
    session->receive(piece, out);
    offset += piece.size();
    drain(out, written);
    const auto so_far = input.substr(0, offset);
    if (!settings.line_mode) {
      check(written == so_far);
      check(!session->partial());
      continue;
    }
    check(written == expected_line_output(so_far, prefix, settings.max_line, false));
    const bool unfinished = !so_far.empty() && so_far.back() != '\n';
    check(session->partial() == unfinished);
  }
  if (eof) {
    session->peer_closed(out);
    drain(out, written);
    check(written == (settings.line_mode
                          ? expected_line_output(input, prefix, settings.max_line, true)
                          : std::string(input)));
  }
  check(!session->closing());
  return 0;
}
