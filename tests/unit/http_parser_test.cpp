// The HTTP/1.1 request-head parser, the request interpreter and the chunked
// body decoder: a table of good and bad requests with the status each must
// get and the request line each makes known for the access log, every
// input split at every offset (the result may not depend on how the bytes
// were cut into reads), and a head placed right before an unreadable page
// so any over-read crashes.

#include "proto/http/chunked.hpp"
#include "proto/http/parser.hpp"
#include "proto/http/request.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace netcook::proto::http {
namespace {

constexpr HeadLimits kLimits{1024, 256};
constexpr std::uint64_t kMaxBody = 4096;

// Everything a complete parse and interpretation tell, as one value.
struct Outcome {
  Progress progress = Progress::incomplete;
  std::size_t length = 0;
  int status = 0;  // parser or interpreter status; 0 = serve it
  std::string method, target;
  int minor = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  bool keep_alive = false;
  Framing framing = Framing::none;
  std::string line;  // the request line, for the log

  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Outcome& o) {
  out << "progress=" << static_cast<int>(o.progress) << " length=" << o.length
      << " status=" << o.status << " " << o.method << " " << o.target << " 1." << o.minor;
  for (const auto& [name, value] : o.fields) out << " [" << name << ": " << value << "]";
  return out << " keep_alive=" << o.keep_alive << " framing=" << static_cast<int>(o.framing)
             << " line=" << o.line;
}

Outcome describe(const ParseResult& result, const RequestHead& head) {
  Outcome outcome;
  outcome.progress = result.progress;
  outcome.length = result.length;
  outcome.status = result.status;
  outcome.line = result.request_line;
  if (result.progress != Progress::complete) return outcome;
  outcome.method = head.method;
  outcome.target = head.target;
  outcome.minor = head.minor_version;
  for (const auto& field : head.fields()) outcome.fields.emplace_back(field.name, field.value);
  Request request;
  const Verdict verdict = interpret(head, kMaxBody, request);
  outcome.status = verdict.status;
  outcome.keep_alive = request.keep_alive;
  outcome.framing = request.framing;
  return outcome;
}

// Feeds `input` to one parser in pieces ending at `cuts`, the buffer growing
// as a connection's would; stops at the first result that is not
// incomplete.
Outcome parse_in_pieces(std::string_view input, const std::vector<std::size_t>& cuts) {
  HeadParser parser(kLimits);
  RequestHead head;
  std::string buffer;
  std::size_t start = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(input.size());
  for (std::size_t end : ends) {
    if (end < start) continue;
    buffer.append(input.substr(start, end - start));
    start = end;
    const ParseResult result = parser.parse(buffer, head);
    if (result.progress != Progress::incomplete) return describe(result, head);
  }
  return describe({}, head);
}

Outcome parse_whole(std::string_view input) {
  return parse_in_pieces(input, {});
}

int status_of(std::string_view input) {
  const Outcome outcome = parse_whole(input);
  if (outcome.progress == Progress::incomplete) return -1;
  return outcome.status;
}

TEST(HttpParser, SimpleGet) {
  const std::string input = "GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
  const Outcome outcome = parse_whole(input);
  EXPECT_EQ(outcome.progress, Progress::complete);
  EXPECT_EQ(outcome.length, input.size());
  EXPECT_EQ(outcome.status, 0);
  EXPECT_EQ(outcome.method, "GET");
  EXPECT_EQ(outcome.target, "/index.html");
  EXPECT_EQ(outcome.minor, 1);
  EXPECT_EQ(outcome.fields, (decltype(outcome.fields){{"Host", "example.com"}, {"Accept", "*/*"}}));
  EXPECT_TRUE(outcome.keep_alive);
}

TEST(HttpParser, LengthStopsAtTheEmptyLine) {
  const std::string head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  const Outcome outcome = parse_whole(head + "GET /next HTTP/1.1\r\n");
  EXPECT_EQ(outcome.progress, Progress::complete);
  EXPECT_EQ(outcome.length, head.size());
}

TEST(HttpParser, ValuesAreTrimmedAndMayBeEmpty) {
  const Outcome outcome = parse_whole(
      "GET / HTTP/1.1\r\nHost:a\r\nX-Empty:\r\nX-Blank: \t \r\nX-Pad: \t v w \t\r\n\r\n");
  EXPECT_EQ(outcome.fields,
            (decltype(outcome.fields){
                {"Host", "a"}, {"X-Empty", ""}, {"X-Blank", ""}, {"X-Pad", "v w"}}));
}

TEST(HttpParser, BareLfAndLeadingEmptyLinesAreAccepted) {
  const std::string input = "\r\n\nGET / HTTP/1.0\nHost: a\n\n";
  const Outcome outcome = parse_whole(input);
  EXPECT_EQ(outcome.progress, Progress::complete);
  EXPECT_EQ(outcome.length, input.size());
  EXPECT_EQ(outcome.target, "/");
  EXPECT_EQ(outcome.minor, 0);
}

TEST(HttpParser, IncompleteUntilTheEmptyLine) {
  for (std::string_view partial :
       {"", "G", "GET / HTTP/1.1", "GET / HTTP/1.1\r", "GET / HTTP/1.1\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r", "\r", "\r\n"})
    EXPECT_EQ(status_of(partial), -1) << partial;
}

struct Case {
  const char* name;
  std::string input;
  int status;  // 0 = serve it
};

std::vector<Case> cases() {
  const std::string host = "Host: a\r\n";
  return {
      {"get 1.1", "GET / HTTP/1.1\r\n" + host + "\r\n", 0},
      {"head", "HEAD / HTTP/1.1\r\n" + host + "\r\n", 0},
      {"get 1.0 without host", "GET / HTTP/1.0\r\n\r\n", 0},
      {"absolute form", "GET http://a/b?c HTTP/1.1\r\n" + host + "\r\n", 0},
      {"zero length", "GET / HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n", 0},
      {"same lengths",
       "GET / HTTP/1.1\r\n" + host + "Content-Length: 5, 5\r\nContent-Length: 5\r\n\r\n", 0},
      {"chunked", "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n", 0},
      {"obs-text value", "GET / HTTP/1.1\r\n" + host + "X: caf\xc3\xa9\r\n\r\n", 0},
      // 400: malformed
      {"no target", "GET HTTP/1.1\r\n" + host + "\r\n", 400},
      {"two spaces", "GET  / HTTP/1.1\r\n" + host + "\r\n", 400},
      {"trailing space", "GET / HTTP/1.1 \r\n" + host + "\r\n", 400},
      {"http 0.9", "GET /\r\n\r\n", 400},
      {"lowercase version", "GET / http/1.1\r\n" + host + "\r\n", 400},
      {"version letters", "GET / HTTP/1.x\r\n" + host + "\r\n", 400},
      {"method not a token", "G(T / HTTP/1.1\r\n" + host + "\r\n", 400},
      {"control in target", std::string("GET /\x01 HTTP/1.1\r\n") + host + "\r\n", 400},
      {"tab in line", "GET\t/ HTTP/1.1\r\n" + host + "\r\n", 400},
      {"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
      {"tab before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400},
      {"obs-fold", "GET / HTTP/1.1\r\n" + host + "X: a\r\n b\r\n\r\n", 400},
      {"no colon", "GET / HTTP/1.1\r\n" + host + "Nonsense\r\n\r\n", 400},
      {"empty name", "GET / HTTP/1.1\r\n" + host + ": v\r\n\r\n", 400},
      {"name not a token", "GET / HTTP/1.1\r\n" + host + "X(y): v\r\n\r\n", 400},
      {"control in value", std::string("GET / HTTP/1.1\r\n") + host + "X: a\x01" + "b\r\n\r\n",
       400},
      {"nul in value",
       std::string("GET / HTTP/1.1\r\n") + host + std::string("X: a\0b\r\n\r\n", 10), 400},
      {"bare cr in value", "GET / HTTP/1.1\r\n" + host + "X: a\rb\r\n\r\n", 400},
      {"bare cr line", "GET / HTTP/1.1\r\n" + host + "\r\r\n", 400},
      {"leading bare cr", "\rGET / HTTP/1.1\r\n" + host + "\r\n", 400},
      // 400: smuggling defences
      {"missing host", "GET / HTTP/1.1\r\n\r\n", 400},
      {"two hosts", "GET / HTTP/1.1\r\n" + host + host + "\r\n", 400},
      {"length and chunked",
       "GET / HTTP/1.1\r\n" + host + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"conflicting lengths",
       "GET / HTTP/1.1\r\n" + host + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
      {"conflicting length list", "GET / HTTP/1.1\r\n" + host + "Content-Length: 5, 6\r\n\r\n",
       400},
      {"signed length", "GET / HTTP/1.1\r\n" + host + "Content-Length: +5\r\n\r\n", 400},
      {"hex length", "GET / HTTP/1.1\r\n" + host + "Content-Length: 0x5\r\n\r\n", 400},
      {"empty length", "GET / HTTP/1.1\r\n" + host + "Content-Length:\r\n\r\n", 400},
      {"huge length",
       "GET / HTTP/1.1\r\n" + host + "Content-Length: 99999999999999999999999\r\n\r\n", 400},
      {"chunked not last",
       "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked, chunked\r\n\r\n", 400},
      {"coding in 1.0", "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      // other statuses
      {"post", "POST / HTTP/1.1\r\n" + host + "\r\n", 405},
      {"lowercase get", "get / HTTP/1.1\r\n" + host + "\r\n", 405},
      {"delete", "DELETE / HTTP/1.1\r\n" + host + "\r\n", 405},
      {"http 2", "GET / HTTP/2.0\r\n" + host + "\r\n", 505},
      {"http 1.2", "GET / HTTP/1.2\r\n" + host + "\r\n", 505},
      {"http 0.9 version", "GET / HTTP/0.9\r\n" + host + "\r\n", 505},
      {"gzip coding", "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n",
       501},
      {"identity coding", "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: identity\r\n\r\n", 501},
      {"body too large", "GET / HTTP/1.1\r\n" + host + "Content-Length: 4097\r\n\r\n", 413},
      {"target too long", "GET /" + std::string(256, 'a') + " HTTP/1.1\r\n" + host + "\r\n", 414},
      {"target too long, unfinished", "GET /" + std::string(400, 'a'), 414},
      {"garbage line too long", std::string(400, 'x'), 400},
      {"head too large", "GET / HTTP/1.1\r\n" + host + "X: " + std::string(1100, 'v') + "\r\n\r\n",
       431},
      {"head too large, unfinished", "GET / HTTP/1.1\r\n" + host + "X: " + std::string(1100, 'v'),
       431},
  };
}

TEST(HttpParser, TableOfRequests) {
  for (const auto& c : cases()) EXPECT_EQ(status_of(c.input), c.status) << c.name;
}

// The request line as sent, for the access log: known once it has been
// read whole with well-formed parts, whatever then fails, its version
// included; never for a line that is malformed itself.
TEST(HttpParser, RequestLineIsKnownOnceRead) {
  struct LineCase {
    std::string input;
    int status;  // -1: incomplete
    std::string line;
  };
  const std::vector<LineCase> line_cases = {
      {"GET /a?b HTTP/1.1\r\nHost: a\r\n\r\n", 0, "GET /a?b HTTP/1.1"},
      {"\r\n\nPOST /x HTTP/1.0\n\n", 405, "POST /x HTTP/1.0"},  // after empty lines, bare LF
      {"GET /v HTTP/2.0\r\nHost: a\r\n\r\n", 505, "GET /v HTTP/2.0"},
      {"BREW /pot HTTP/1.2\r\n", 505, "BREW /pot HTTP/1.2"},  // the line alone is enough
      {"GET /f HTTP/1.1\r\nHost : a\r\n\r\n", 400, "GET /f HTTP/1.1"},
      {"GET /h HTTP/1.1\r\nX: " + std::string(1100, 'v') + "\r\n\r\n", 431, "GET /h HTTP/1.1"},
      {"GET /i HTTP/1.1\r\nHost: a\r\n", -1, ""},
      {"GET/ HTTP/1.1\r\n\r\n", 400, ""},
      {"GET / HTTP/1.x\r\n\r\n", 400, ""},
      {"GET /\x01 HTTP/1.1\r\n\r\n", 400, ""},
      {"GET /" + std::string(300, 'a') + " HTTP/1.1\r\n\r\n", 414, ""},
  };
  for (const auto& c : line_cases) {
    SCOPED_TRACE(c.input.substr(0, 40));
    const Outcome outcome = parse_whole(c.input);
    EXPECT_EQ(outcome.progress == Progress::incomplete ? -1 : outcome.status, c.status);
    EXPECT_EQ(outcome.line, c.line);
  }
  // reset() forgets it.
  HeadParser parser(kLimits);
  RequestHead head;
  const std::string first = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_EQ(parser.parse(first, head).request_line, "GET /1 HTTP/1.1");
  parser.reset();
  EXPECT_EQ(parser.parse("GET/ HTTP/1.1\r\n", head).request_line, "");
}

TEST(HttpParser, TargetAtTheLimitIsAccepted) {
  EXPECT_EQ(status_of("GET /" + std::string(255, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
}

TEST(HttpParser, HundredFieldsAndNoMore) {
  std::string fields;
  for (int i = 0; i < 99; ++i) fields += "X-" + std::to_string(i) + ": v\r\n";
  HeadLimits roomy{64 * 1024, 256};
  const auto parse = [&](const std::string& input) {
    HeadParser parser(roomy);
    RequestHead head;
    return parser.parse(input, head);
  };
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n").progress, Progress::complete);
  const auto result = parse("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "X-100: v\r\n\r\n");
  EXPECT_EQ(result.progress, Progress::invalid);
  EXPECT_EQ(result.status, 431);
}

TEST(HttpParser, KeepAliveRules) {
  const auto keep = [](std::string_view input) { return parse_whole(input).keep_alive; };
  EXPECT_TRUE(keep("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_TRUE(keep("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"));
}

TEST(HttpParser, Framing) {
  EXPECT_EQ(parse_whole("GET / HTTP/1.1\r\nHost: a\r\n\r\n").framing, Framing::none);
  EXPECT_EQ(parse_whole("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").framing,
            Framing::none);
  EXPECT_EQ(parse_whole("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n\r\n").framing,
            Framing::length);
  EXPECT_EQ(parse_whole("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n").framing,
            Framing::chunked);
}

// The result of every good and bad request is the same however it is cut.
TEST(HttpParser, AnySplitGivesTheSameResult) {
  std::vector<Case> all = cases();
  all.push_back({"big",
                 "GET /a/b/c?d=e HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test/1.0\r\n"
                 "Accept: text/html, */*;q=0.8\r\nX-Empty:\r\n\r\nGET /next",
                 0});
  for (const auto& c : all) {
    const Outcome whole = parse_whole(c.input);
    for (std::size_t i = 0; i <= c.input.size(); ++i) {
      ASSERT_EQ(parse_in_pieces(c.input, {i}), whole) << c.name << ", cut at " << i;
      if (c.input.size() > 200) continue;  // two cuts over long inputs add nothing but time
      for (std::size_t j = i; j <= c.input.size(); ++j)
        ASSERT_EQ(parse_in_pieces(c.input, {i, j}), whole)
            << c.name << ", cuts at " << i << ", " << j;
    }
  }
}

// Byte by byte: every byte examined once, the result still the same.
TEST(HttpParser, OneByteAtATime) {
  const std::string input = "GET /x HTTP/1.1\r\nHost: a\r\nA: b\r\n\r\n";
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(parse_in_pieces(input, cuts), parse_whole(input));
}

// A head that ends exactly at an unreadable page: reading one byte too far
// faults.
TEST(HttpParser, NeverReadsPastTheBuffer) {
  const long page = ::sysconf(_SC_PAGESIZE);
  const auto size = static_cast<std::size_t>(page) * 2;
  void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(memory, MAP_FAILED);
  char* guard = static_cast<char*>(memory) + page;
  ASSERT_EQ(::mprotect(guard, static_cast<std::size_t>(page), PROT_NONE), 0);
  for (const auto& c : cases()) {
    if (c.input.size() > static_cast<std::size_t>(page)) continue;
    for (std::size_t length = 0; length <= c.input.size(); ++length) {
      char* start = guard - length;
      std::memcpy(start, c.input.data(), length);
      HeadParser parser(kLimits);
      RequestHead head;
      const auto result = parser.parse(std::string_view(start, length), head);
      if (result.progress == Progress::complete) {
        Request request;
        interpret(head, kMaxBody, request);
      }
    }
  }
  ::munmap(memory, size);
}

TEST(HttpParser, ResetStartsTheNextRequest) {
  HeadParser parser(kLimits);
  RequestHead head;
  const std::string first = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::string second = "HEAD /2 HTTP/1.1\r\nHost: b\r\n\r\n";
  const std::string both = first + second;
  auto result = parser.parse(both, head);
  ASSERT_EQ(result.progress, Progress::complete);
  ASSERT_EQ(result.length, first.size());
  parser.reset();
  result = parser.parse(std::string_view(both).substr(first.size()), head);
  ASSERT_EQ(result.progress, Progress::complete);
  EXPECT_EQ(head.method, "HEAD");
  EXPECT_EQ(head.target, "/2");
}

// --- chunked bodies ---

struct ChunkedOutcome {
  ChunkedBody::Progress progress;
  std::size_t consumed;  // over the whole input
  int status;
  std::uint64_t decoded;
  bool operator==(const ChunkedOutcome&) const = default;
};

std::ostream& operator<<(std::ostream& out, const ChunkedOutcome& o) {
  return out << "progress=" << static_cast<int>(o.progress) << " consumed=" << o.consumed
             << " status=" << o.status << " decoded=" << o.decoded;
}

ChunkedOutcome decode(std::string_view input, const std::vector<std::size_t>& cuts = {},
                      std::uint64_t max_body = 100, std::size_t max_meta = 64) {
  ChunkedBody body(max_body, max_meta);
  std::size_t start = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(input.size());
  for (std::size_t end : ends) {
    if (end < start) continue;
    const auto result = body.feed(input.substr(start, end - start));
    if (result.progress != ChunkedBody::Progress::more)
      return {result.progress, start + result.consumed, result.status, body.decoded()};
    start = end;
  }
  return {ChunkedBody::Progress::more, start, 0, body.decoded()};
}

TEST(HttpChunked, Decodes) {
  const std::string body = "5\r\nhello\r\n6;name=value\r\n world\r\n0\r\n\r\n";
  EXPECT_EQ(decode(body + "NEXT"),
            (ChunkedOutcome{ChunkedBody::Progress::done, body.size(), 0, 11}));
}

TEST(HttpChunked, TrailersAndBareLf) {
  const std::string body = "A\nabcdefghij\n0\nTrailer: x\r\nOther: y\n\n";
  EXPECT_EQ(decode(body), (ChunkedOutcome{ChunkedBody::Progress::done, body.size(), 0, 10}));
}

TEST(HttpChunked, Errors) {
  EXPECT_EQ(decode("\r\n").status, 400);                   // no size
  EXPECT_EQ(decode("g\r\n").status, 400);                  // not hex
  EXPECT_EQ(decode("5\r\nhelloX").status, 400);            // data longer than its size
  EXPECT_EQ(decode("5\rX").status, 400);                   // bare CR
  EXPECT_EQ(decode("11111111111111111\r\n").status, 400);  // more than 64 bits
  EXPECT_EQ(decode("65\r\n").status, 413);                 // 101 > max_body
  EXPECT_EQ(decode("40\r\n" + std::string(64, 'x') + "\r\n40\r\n").status, 413);  // 128 in all
  EXPECT_EQ(decode("5;" + std::string(80, 'e') + "\r\n").status, 400);         // extension too long
  EXPECT_EQ(decode("0\r\n" + std::string(80, 't') + "\r\n\r\n").status, 400);  // trailers too long
  EXPECT_EQ(decode("5;\x01\r\n").status, 400);  // control in an extension
}

TEST(HttpChunked, AnySplitGivesTheSameResult) {
  const std::vector<std::string> inputs = {
      "5\r\nhello\r\n6;name=value\r\n world\r\n0\r\n\r\nNEXT",
      "A\nabcdefghij\n0\nTrailer: x\r\nOther: y\n\n",
      "5\r\nhelloX",
      "40\r\n" + std::string(64, 'x') + "\r\n40\r\n",
      "0\r\n\r\n",
  };
  for (const auto& input : inputs) {
    const auto whole = decode(input);
    for (std::size_t i = 0; i <= input.size(); ++i)
      for (std::size_t j = i; j <= input.size(); ++j)
        ASSERT_EQ(decode(input, {i, j}), whole) << input << " cuts " << i << "," << j;
  }
}

}  // namespace
}  // namespace netcook::proto::http
