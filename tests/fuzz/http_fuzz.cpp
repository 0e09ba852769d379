// Fuzzes the HTTP request path: the head parser fed the input whole and in
// pieces must agree (it may not depend on how bytes arrive), the chunked
// decoder likewise, and a whole session must never crash, never answer
// more than once per request it accepted, and stop after an error.
//
// Input: one byte choosing where to cut, then the bytes a client sends.

#include "input_reader.hpp"
#include "proto/http/chunked.hpp"
#include "proto/http/http.hpp"
#include "proto/http/parser.hpp"
#include "proto/http/request.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace netcook::proto;

std::string_view fixed_date() noexcept { return "Thu, 01 Jan 1970 00:00:00 GMT"; }

using netcook::fuzz::check;

struct Parsed {
  http::Progress progress;
  std::size_t length;
  int status;
  std::string method, target;
  std::size_t fields;
  bool operator==(const Parsed&) const = default;
};

Parsed parse(std::string_view input, std::size_t cut) {
  http::HeadParser parser({1024, 512});
  http::RequestHead head;
  http::ParseResult result;
  if (cut < input.size()) {
    result = parser.parse(input.substr(0, cut), head);
    if (result.progress != http::Progress::incomplete)
      return {result.progress, result.length, result.status, std::string(head.method),
              std::string(head.target), head.field_count};
  }
  result = parser.parse(input, head);
  if (result.progress != http::Progress::complete) return {result.progress, 0, result.status, {}, {}, 0};
  check(result.length <= input.size());
  return {result.progress, result.length, result.status, std::string(head.method),
          std::string(head.target), head.field_count};
}

void fuzz_parser(std::string_view input, std::size_t cut) {
  const Parsed whole = parse(input, input.size());
  const Parsed split = parse(input, cut);
  // A result found in the first piece must be the same as the whole one.
  if (whole.progress == http::Progress::complete || split.progress != http::Progress::incomplete)
    check(whole == split || (split.progress == http::Progress::complete &&
                             whole.progress == http::Progress::complete && whole == split));
}

void fuzz_chunked(std::string_view input, std::size_t cut) {
  const auto run = [&](std::size_t at) {
    http::ChunkedBody body(4096, 256);
    std::size_t consumed = 0;
    http::ChunkedBody::Result result;
    for (auto piece : {input.substr(0, at), input.substr(at)}) {
      result = body.feed(piece);
      consumed += result.consumed;
      check(result.consumed <= piece.size());
      if (result.progress != http::ChunkedBody::Progress::more) break;
    }
    return std::tuple(result.progress, consumed, result.status, body.decoded());
  };
  check(run(input.size()) == run(cut));
}

void fuzz_session(std::string_view input, std::size_t cut) {
  http::HttpSettings settings;
  settings.limits = {1024, 512};
  settings.max_body = 4096;
  settings.date = &fixed_date;
  const auto site = http::make_site(settings);
  SessionContext context;
  auto session = http::make_http_session(site, context);
  Outbox out;
  for (auto piece : {input.substr(0, cut), input.substr(cut)}) {
    if (piece.empty() || session->closing()) continue;
    session->receive(piece, out);
    check(out.size() < 64 * 1024 * 1024);
    out.consume(out.pending().size());
  }
  if (session->partial() && !session->closing()) session->last_words(Ending::read_timeout, out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t cut = input.empty() ? 0 : data[0] % (input.size() + 1);
  fuzz_parser(input, cut);
  fuzz_chunked(input, cut);
  fuzz_session(input, cut);
  return 0;
}
