// The HTTP session over the fixed-body site, with the Date header fixed so
// every answer is exact bytes: GET and HEAD, keep-alive and close for 1.0
// and 1.1, pipelined requests answered in order however the bytes were cut
// into reads, request bodies (Content-Length and chunked) discarded, each
// error status answered once with `Connection: close`, as an HTML page when
// the request's Accept prefers one, and the 408 of a read timeout.

#include "http_response.hpp"
#include "log/fields.hpp"
#include "metrics/arena.hpp"
#include "proto/http/access_log.hpp"
#include "proto/http/http.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <gtest/gtest.h>

namespace netcook::proto::http {
namespace {

using test::Response;
using test::take_response;

constexpr std::string_view kDate = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr std::string_view kServerLine = "Server: netcookd/" NETCOOKD_VERSION "\r\n";

std::string_view fixed_date() noexcept {
  return kDate;
}

HttpSettings small_settings() {
  HttpSettings settings;
  settings.limits = {1024, 256};
  settings.max_body = 64;
  settings.body = "Hello\n";
  settings.date = fixed_date;
  return settings;
}

// One connection: bytes go in through receive(), the answer comes out of
// the Outbox (the fixed site appends no file ranges, so pending() and
// consume() see everything).
class Connection {
 public:
  explicit Connection(const HttpSettings& settings = small_settings())
      : session_(make_http_session(make_site(settings), SessionContext{})) {}

  std::string send(std::string_view bytes) {
    if (!bytes.empty()) session_->receive(bytes, out_);
    return drain();
  }

  // `input` in pieces ending at `cuts` (empty pieces are not sent).
  std::string send_in_pieces(std::string_view input, const std::vector<std::size_t>& cuts) {
    std::string answer;
    std::size_t start = 0;
    std::vector<std::size_t> ends = cuts;
    ends.push_back(input.size());
    for (std::size_t end : ends) {
      if (end < start) continue;
      answer += send(input.substr(start, end - start));
      start = end;
    }
    return answer;
  }

  std::string time_out() {
    session_->last_words(proto::Ending::read_timeout, out_);
    return drain();
  }

  bool closing() const noexcept { return session_->closing(); }
  bool partial() const noexcept { return session_->partial(); }

 private:
  std::string drain() {
    std::string answer;
    while (!out_.pending().empty()) {
      answer += out_.pending();
      out_.consume(out_.pending().size());
    }
    EXPECT_TRUE(out_.empty());
    return answer;
  }

  std::unique_ptr<Session> session_;
  Outbox out_;
};

std::string answer_to(std::string_view input) {
  return Connection().send(input);
}

// --- reading answers back ---

std::string ok_answer(std::string_view connection_line, bool head_only) {
  std::string answer = "HTTP/1.1 200 OK\r\n";
  answer += kServerLine;
  answer += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 6\r\nDate: ";
  answer += kDate;
  answer += "\r\n";
  answer += connection_line;
  answer += "\r\n";
  if (!head_only) answer += "Hello\n";
  return answer;
}

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

// --- a request and its answer ---

TEST(HttpSession, GetIsAnsweredExactly) {
  Connection connection;
  EXPECT_FALSE(connection.partial());
  EXPECT_EQ(connection.send(kGet),
            "HTTP/1.1 200 OK\r\n"
            "Server: netcookd/" NETCOOKD_VERSION
            "\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 6\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "\r\n"
            "Hello\n");
  EXPECT_FALSE(connection.closing());
  EXPECT_FALSE(connection.partial());
  // The connection stays usable.
  EXPECT_EQ(connection.send(kGet), ok_answer("", false));
}

TEST(HttpSession, HeadHasTheHeadersOfGetAndNoBody) {
  Connection connection;
  EXPECT_EQ(connection.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"), ok_answer("", true));
  EXPECT_FALSE(connection.closing());
  EXPECT_EQ(connection.send(kGet), ok_answer("", false));
}

TEST(HttpSession, AnyTargetGetsTheFixedBody) {
  EXPECT_EQ(answer_to("GET /some/where?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"), ok_answer("", false));
  EXPECT_EQ(answer_to("GET http://a/b HTTP/1.1\r\nHost: a\r\n\r\n"), ok_answer("", false));
}

TEST(HttpSession, ConfiguredBodyAndContentType) {
  HttpSettings settings = small_settings();
  settings.body = "{}";
  settings.content_type = "application/json";
  std::string expected = "HTTP/1.1 200 OK\r\n";
  expected += kServerLine;
  expected += "Content-Type: application/json\r\nContent-Length: 2\r\nDate: ";
  expected += kDate;
  expected += "\r\n\r\n{}";
  EXPECT_EQ(Connection(settings).send(kGet), expected);
}

TEST(HttpSession, RealClockWhenNoDateSource) {
  HttpSettings settings = small_settings();
  settings.date = nullptr;
  const std::string text = Connection(settings).send(kGet);
  std::string_view answer = text;
  const Response response = take_response(answer);
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  const std::string date = response.header("Date");
  EXPECT_EQ(date.size(), kDate.size()) << date;
  EXPECT_TRUE(date.ends_with(" GMT")) << date;
  EXPECT_NE(date, kDate);
}

// --- keep-alive ---

struct KeepAliveCase {
  std::string_view request;
  std::string_view connection_line;  // in the answer
  bool closing;
};

TEST(HttpSession, KeepAliveAndClose) {
  const std::vector<KeepAliveCase> cases = {
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "", false},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", "", false},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "Connection: close\r\n", true},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, Close\r\n\r\n", "Connection: close\r\n",
       true},
      {"GET / HTTP/1.0\r\n\r\n", "Connection: close\r\n", true},
      {"GET / HTTP/1.0\r\nHost: a\r\n\r\n", "Connection: close\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "Connection: keep-alive\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "Connection: keep-alive\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", "Connection: close\r\n", true},
      {"HEAD / HTTP/1.0\r\n\r\n", "Connection: close\r\n", true},
  };
  for (const auto& c : cases) {
    Connection connection;
    const bool head_only = c.request.starts_with("HEAD");
    EXPECT_EQ(connection.send(c.request), ok_answer(c.connection_line, head_only)) << c.request;
    EXPECT_EQ(connection.closing(), c.closing) << c.request;
    // A closing connection answers nothing more; an open one answers again.
    const std::string next = connection.send(kGet);
    EXPECT_EQ(next, c.closing ? "" : ok_answer("", false)) << c.request;
  }
}

TEST(HttpSession, NothingIsAnsweredAfterClose) {
  Connection connection;
  const std::string input = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" +
                            std::string(kGet) + std::string(kGet);
  EXPECT_EQ(connection.send(input), ok_answer("Connection: close\r\n", false));
  EXPECT_TRUE(connection.closing());
  EXPECT_EQ(connection.send(kGet), "");
  EXPECT_EQ(connection.time_out(), "");
}

// --- pipelining ---

// Request i and the answer it must get; HEAD and HTTP/1.0 keep-alive mixed
// in so that a reordering would show.
std::pair<std::string, std::string> pipelined(int i) {
  switch (i % 4) {
    case 0:
      return {std::string(kGet), ok_answer("", false)};
    case 1:
      return {"HEAD /" + std::to_string(i) + " HTTP/1.1\r\nHost: a\r\n\r\n", ok_answer("", true)};
    case 2:
      return {"GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
              ok_answer("Connection: keep-alive\r\n", false)};
    default:
      return {"HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
              ok_answer("Connection: keep-alive\r\n", true)};
  }
}

TEST(HttpSession, HundredPipelinedRequestsInOrder) {
  std::string input, expected;
  for (int i = 0; i < 100; ++i) {
    auto [request, answer] = pipelined(i);
    input += request;
    expected += answer;
  }
  Connection connection;
  EXPECT_EQ(connection.send(input), expected);
  EXPECT_FALSE(connection.closing());
  EXPECT_FALSE(connection.partial());
}

TEST(HttpSession, PipelinedSplitAtEveryOffset) {
  std::string input, expected;
  for (int i = 0; i < 100; ++i) {
    auto [request, answer] = pipelined(i);
    input += request;
    expected += answer;
  }
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    Connection connection;
    ASSERT_EQ(connection.send_in_pieces(input, {cut}), expected) << "cut at " << cut;
    ASSERT_FALSE(connection.partial()) << "cut at " << cut;
  }
}

TEST(HttpSession, OneByteAtATime) {
  std::string input, expected;
  for (int i = 0; i < 8; ++i) {
    auto [request, answer] = pipelined(i);
    input += request;
    expected += answer;
  }
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(Connection().send_in_pieces(input, cuts), expected);
}

// --- request bodies ---

TEST(HttpSession, BodiesAreDiscardedAndTheNextRequestAnswered) {
  const std::vector<std::string> with_bodies = {
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 64\r\n\r\n" + std::string(64, 'b'),
      "GET / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc",
      "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\nTrailer: x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "40\r\n" +
          std::string(64, 'c') + "\r\n0\r\n\r\n",
  };
  for (const auto& request : with_bodies) {
    const std::string first = request.find("HTTP/1.0") != std::string::npos
                                  ? ok_answer("Connection: keep-alive\r\n", false)
                                  : ok_answer("", false);
    const std::string input = request + std::string(kGet);
    const std::string expected = first + ok_answer("", false);
    for (std::size_t cut = 0; cut <= input.size(); ++cut) {
      Connection connection;
      ASSERT_EQ(connection.send_in_pieces(input, {cut}), expected) << request << "\ncut at " << cut;
      ASSERT_FALSE(connection.closing()) << request;
      ASSERT_FALSE(connection.partial()) << request;
    }
  }
}

// A body that looks like a request is still a body: it is never answered.
TEST(HttpSession, BodyIsNeverTakenForARequest) {
  const std::string smuggled = "GET /evil HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::string by_length =
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(smuggled.size()) +
      "\r\n\r\n" + smuggled;
  EXPECT_EQ(answer_to(by_length), ok_answer("", false));
  const std::string by_chunks = "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                fmt::format("{:x}\r\n", smuggled.size()) + smuggled +
                                "\r\n0\r\n\r\n";
  EXPECT_EQ(answer_to(by_chunks), ok_answer("", false));
}

TEST(HttpSession, PartialWhileARequestOrItsBodyIsIncomplete) {
  Connection connection;
  EXPECT_FALSE(connection.partial());
  EXPECT_EQ(connection.send("G"), "");
  EXPECT_TRUE(connection.partial());
  EXPECT_EQ(connection.send("ET / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n"), "");
  EXPECT_TRUE(connection.partial());  // the body has not arrived
  EXPECT_EQ(connection.send("ab"), "");
  EXPECT_TRUE(connection.partial());
  EXPECT_EQ(connection.send("cd"), ok_answer("", false));  // answered after its body
  EXPECT_FALSE(connection.partial());
  EXPECT_EQ(connection.send(std::string(kGet) + "GET / HT"), ok_answer("", false));
  EXPECT_TRUE(connection.partial());
  EXPECT_EQ(connection.send("TP/1.1\r\nHost: a\r\n\r\n"), ok_answer("", false));
  EXPECT_FALSE(connection.partial());
  EXPECT_EQ(connection.send("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"), "");
  EXPECT_TRUE(connection.partial());
  EXPECT_EQ(connection.send("3\r\nabc\r\n"), "");
  EXPECT_TRUE(connection.partial());
  EXPECT_EQ(connection.send("0\r\n\r\n"), ok_answer("", false));
  EXPECT_FALSE(connection.partial());
  EXPECT_FALSE(connection.closing());
}

// --- errors ---

// What every error answer must be: the status line, Date and Server,
// Content-Type, Content-Length of the body (absent for HEAD), `Connection:
// close`, Allow for 405 only; and the connection closing with nothing
// answered after it.
void expect_error(const std::string& answer, int status, std::string_view reason, bool head_only,
                  std::string_view detail = {}) {
  std::string_view stream = answer;
  const Response response = take_response(stream, head_only);
  EXPECT_EQ(response.status_line, fmt::format("HTTP/1.1 {} {}", status, reason));
  EXPECT_EQ(response.header("Date"), kDate);
  EXPECT_EQ(response.header("Server"), "netcookd/" NETCOOKD_VERSION);
  EXPECT_EQ(response.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(response.header("Connection"), "close");
  EXPECT_EQ(response.count("Allow"), status == 405 ? 1U : 0U);
  if (status == 405) {
    EXPECT_EQ(response.header("Allow"), "GET, HEAD");
  }
  EXPECT_EQ(response.count("Content-Length"), 1U);
  const auto length = std::stoul(response.header("Content-Length"));
  EXPECT_NE(length, 0U);
  const std::string prefix = fmt::format("{} {}: ", status, reason);
  if (head_only) {
    EXPECT_EQ(response.body, "");
  } else if (!detail.empty()) {
    EXPECT_EQ(response.body, fmt::format("{}{}\n", prefix, detail));
  } else {
    EXPECT_TRUE(response.body.starts_with(prefix)) << response.body;
    EXPECT_TRUE(response.body.ends_with("\n")) << response.body;
  }
  if (!head_only) {
    EXPECT_EQ(response.body.size(), length);
  }
  EXPECT_EQ(stream, "") << "something was answered after the error";
}

struct ErrorCase {
  const char* name;
  std::string request;
  int status;
  std::string_view reason;
  std::string_view detail;
};

std::vector<ErrorCase> error_cases() {
  const std::string host = "Host: a\r\n";
  std::string many_fields;
  for (int i = 0; i < 101; ++i) many_fields += "X: " + std::to_string(i) + "\r\n";
  return {
      {"malformed request line", "GET/ HTTP/1.1\r\n" + host + "\r\n", 400, "Bad Request",
       "malformed request line"},
      {"two spaces", "GET /  HTTP/1.1\r\n" + host + "\r\n", 400, "Bad Request",
       "malformed HTTP version"},
      {"no version", "GET /\r\n\r\n", 400, "Bad Request", "malformed request line"},
      {"header without colon", "GET / HTTP/1.1\r\n" + host + "Nonsense\r\n\r\n", 400, "Bad Request",
       "header line without a colon"},
      {"whitespace before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "Bad Request",
       "whitespace before colon"},
      {"obs-fold", "GET / HTTP/1.1\r\n" + host + "X: a\r\n  b\r\n\r\n", 400, "Bad Request",
       "obsolete line folding"},
      {"missing host", "GET / HTTP/1.1\r\n\r\n", 400, "Bad Request", "missing Host header"},
      {"two hosts", "GET / HTTP/1.1\r\n" + host + host + "\r\n", 400, "Bad Request",
       "more than one Host header"},
      {"length and chunked",
       "GET / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
       400, "Bad Request", "both Content-Length and Transfer-Encoding"},
      {"chunked and length",
       "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc",
       400, "Bad Request", "both Content-Length and Transfer-Encoding"},
      {"conflicting lengths",
       "GET / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400,
       "Bad Request", "conflicting Content-Length values"},
      {"conflicting length list", "GET / HTTP/1.1\r\n" + host + "Content-Length: 3, 4\r\n\r\nabcd",
       400, "Bad Request", "conflicting Content-Length values"},
      {"malformed length", "GET / HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n", 400,
       "Bad Request", "malformed Content-Length"},
      {"length without a value", "GET / HTTP/1.1\r\n" + host + "Content-Length: ,\r\n\r\nabc", 400,
       "Bad Request", "malformed Content-Length"},
      {"coding without a value",
       "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: ,\r\nContent-Length: 3\r\n\r\nabc", 400,
       "Bad Request", "both Content-Length and Transfer-Encoding"},
      {"empty coding list", "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: , ,\r\n\r\n", 400,
       "Bad Request", "chunked must be the final coding, once"},
      {"bad chunk size", "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
       400, "Bad Request", "malformed chunk size"},
      {"target too long", "GET /" + std::string(256, 'a') + " HTTP/1.1\r\n" + host + "\r\n", 414,
       "URI Too Long", "request target too long"},
      {"head too large", "GET / HTTP/1.1\r\n" + host + "X: " + std::string(1100, 'v') + "\r\n\r\n",
       431, "Request Header Fields Too Large", "request head too large"},
      {"too many fields", "GET / HTTP/1.1\r\n" + host + many_fields + "\r\n", 431,
       "Request Header Fields Too Large", "too many header fields"},
      {"http 2", "GET / HTTP/2.0\r\n" + host + "\r\n", 505, "HTTP Version Not Supported",
       "HTTP version not supported"},
      {"http 1.2", "GET / HTTP/1.2\r\n" + host + "\r\n", 505, "HTTP Version Not Supported",
       "HTTP version not supported"},
      {"gzip", "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\n", 501,
       "Not Implemented", "transfer coding not implemented"},
      {"gzip then chunked",
       "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501,
       "Not Implemented", "transfer coding not implemented"},
      {"post", "POST / HTTP/1.1\r\n" + host + "\r\n", 405, "Method Not Allowed",
       "method not allowed"},
      {"put with body", "PUT / HTTP/1.1\r\n" + host + "Content-Length: 3\r\n\r\nabc", 405,
       "Method Not Allowed", "method not allowed"},
      {"lowercase get", "get / HTTP/1.1\r\n" + host + "\r\n", 405, "Method Not Allowed",
       "method not allowed"},
      {"declared body too large", "GET / HTTP/1.1\r\n" + host + "Content-Length: 65\r\n\r\n", 413,
       "Content Too Large", "request body too large"},
      {"chunk too large", "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n41\r\n",
       413, "Content Too Large", "request body too large"},
      {"chunks too large in all",
       "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n20\r\n" +
           std::string(32, 'x') + "\r\n20\r\n" + std::string(32, 'x') + "\r\n1\r\n",
       413, "Content Too Large", "request body too large"},
  };
}

TEST(HttpSession, EachErrorIsAnsweredOnceAndCloses) {
  for (const auto& c : error_cases()) {
    SCOPED_TRACE(c.name);
    Connection connection;
    // A good request after the bad one must not be answered.
    const std::string answer = connection.send(c.request + std::string(kGet));
    expect_error(answer, c.status, c.reason, false, c.detail);
    EXPECT_TRUE(connection.closing());
    EXPECT_EQ(connection.send(kGet), "");
    EXPECT_EQ(connection.time_out(), "");
  }
}

TEST(HttpSession, ErrorsAfterGoodPipelinedRequests) {
  for (const auto& c : error_cases()) {
    SCOPED_TRACE(c.name);
    const std::string input = std::string(kGet) + std::string(kGet) + c.request + std::string(kGet);
    const std::string good = ok_answer("", false) + ok_answer("", false);
    for (std::size_t cut = 0; cut <= input.size(); cut += 7) {
      Connection connection;
      const std::string answer = connection.send_in_pieces(input, {cut});
      ASSERT_TRUE(answer.starts_with(good)) << "cut at " << cut;
      expect_error(answer.substr(good.size()), c.status, c.reason, false, c.detail);
      ASSERT_TRUE(connection.closing());
    }
  }
}

TEST(HttpSession, ErrorsToHeadHaveNoBody) {
  const std::string host = "Host: a\r\n";
  const std::vector<ErrorCase> cases = {
      {"missing host", "HEAD / HTTP/1.1\r\n\r\n", 400, "Bad Request", {}},
      {"length and chunked",
       "HEAD / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       400,
       "Bad Request",
       {}},
      {"gzip",
       "HEAD / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\n",
       501,
       "Not Implemented",
       {}},
      {"declared body too large",
       "HEAD / HTTP/1.1\r\n" + host + "Content-Length: 65\r\n\r\n",
       413,
       "Content Too Large",
       {}},
      {"chunk too large",
       "HEAD / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n41\r\n",
       413,
       "Content Too Large",
       {}},
      {"bad chunk",
       "HEAD / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
       400,
       "Bad Request",
       {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Connection connection;
    expect_error(connection.send(c.request + std::string(kGet)), c.status, c.reason, true);
    EXPECT_TRUE(connection.closing());
  }
}

// An error answers the request it is about: one after a HEAD request has
// been answered is about the next request, and has its body.
TEST(HttpSession, ErrorAfterAHeadRequestHasItsBody) {
  const std::string head = "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n";
  Connection connection;
  std::string answer = connection.send(head + "GET/ HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(answer.starts_with(ok_answer("", true))) << answer;
  expect_error(answer.substr(ok_answer("", true).size()), 400, "Bad Request", false,
               "malformed request line");

  Connection slow;
  EXPECT_EQ(slow.send(head + "GET / HT"), ok_answer("", true));
  expect_error(slow.time_out(), 408, "Request Timeout", false,
               "the request did not arrive in time");
}

TEST(HttpSession, BodyAtTheLimitIsAccepted) {
  const std::string input =
      "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "20\r\n" +
      std::string(32, 'x') + "\r\n20\r\n" + std::string(32, 'x') + "\r\n0\r\n\r\n" +
      std::string(kGet);
  Connection connection;
  EXPECT_EQ(connection.send(input), ok_answer("", false) + ok_answer("", false));
  EXPECT_FALSE(connection.closing());
}

// --- error pages for browsers ---

constexpr std::string_view kBrowserAccept =
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n";

// An error answer in the form expected: an HTML page (title and heading
// naming the status) or the plain text line; Vary: Accept when the body
// depended on the request's Accept; Content-Length that of the body.
void expect_form(const std::string& answer, int status, std::string_view reason, bool html,
                 bool vary, bool head_only = false) {
  std::string_view stream = answer;
  const Response response = take_response(stream, head_only);
  const std::string title = fmt::format("{} {}", status, reason);
  EXPECT_EQ(response.status_line, "HTTP/1.1 " + title);
  EXPECT_EQ(response.header("Content-Type"),
            html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8");
  EXPECT_EQ(response.count("Vary"), vary ? 1U : 0U);
  if (vary) {
    EXPECT_EQ(response.header("Vary"), "Accept");
  }
  EXPECT_EQ(response.header("Connection"), "close");
  EXPECT_EQ(response.count("Allow"), status == 405 ? 1U : 0U);
  if (head_only) {
    EXPECT_EQ(response.body, "");
  } else if (html) {
    EXPECT_EQ(response.header("Content-Length"), std::to_string(response.body.size()));
    EXPECT_TRUE(response.body.starts_with("<!DOCTYPE html>\n")) << response.body;
    EXPECT_NE(response.body.find("<title>" + title + "</title>"), std::string::npos);
    EXPECT_NE(response.body.find("<h1>" + title + "</h1>"), std::string::npos);
    EXPECT_TRUE(response.body.ends_with("</html>\n")) << response.body;
  } else {
    EXPECT_EQ(response.header("Content-Length"), std::to_string(response.body.size()));
    EXPECT_TRUE(response.body.starts_with(title + ": ")) << response.body;
  }
  EXPECT_EQ(stream, "");
}

TEST(HttpSession, ErrorsOfAParsedRequestFollowItsAccept) {
  const std::string accept(kBrowserAccept);
  const std::string host = "Host: a\r\n";
  struct Case {
    const char* name;
    std::string request;
    int status;
    std::string_view reason;
  };
  const std::vector<Case> cases = {
      {"post", "POST / HTTP/1.1\r\n" + accept + host + "\r\n", 405, "Method Not Allowed"},
      {"missing host", "GET / HTTP/1.1\r\n" + accept + "\r\n", 400, "Bad Request"},
      {"gzip", "GET / HTTP/1.1\r\n" + accept + host + "Transfer-Encoding: gzip\r\n\r\n", 501,
       "Not Implemented"},
      {"declared body too large",
       "GET / HTTP/1.1\r\n" + accept + host + "Content-Length: 65\r\n\r\n", 413,
       "Content Too Large"},
      {"chunk too large",
       "GET / HTTP/1.1\r\n" + accept + host + "Transfer-Encoding: chunked\r\n\r\n41\r\n", 413,
       "Content Too Large"},
      {"bad chunk",
       "GET / HTTP/1.1\r\n" + accept + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400,
       "Bad Request"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    // Whatever way the bytes are cut: the form is kept with the request.
    for (std::size_t cut = 0; cut <= c.request.size(); cut += 3) {
      Connection connection;
      expect_form(connection.send_in_pieces(c.request, {cut}), c.status, c.reason, true, true);
    }
    std::string head_request = c.request;
    head_request.replace(0, head_request.find(' '), "HEAD");
    if (c.status != 405) {
      expect_form(Connection().send(head_request), c.status, c.reason, true, true, true);
    }
    // Plain text for other clients, still with Vary: it was chosen.
    std::string plain = c.request;
    plain.replace(plain.find(accept), accept.size(), "Accept: */*\r\n");
    expect_form(Connection().send(plain), c.status, c.reason, false, true);
    plain.replace(plain.find("Accept: */*\r\n"), 13, "");
    expect_form(Connection().send(plain), c.status, c.reason, false, true);
  }
}

// Before a head is whole, no Accept is known: plain text, no Vary, even
// when the broken head holds one.
TEST(HttpSession, ErrorsBeforeTheHeadIsParsedArePlain) {
  const std::string accept(kBrowserAccept);
  struct Case {
    const char* name;
    std::string request;
    int status;
    std::string_view reason;
  };
  const std::vector<Case> cases = {
      {"malformed request line", "GET/ HTTP/1.1\r\n" + accept + "Host: a\r\n\r\n", 400,
       "Bad Request"},
      {"http 2", "GET / HTTP/2.0\r\n" + accept + "Host: a\r\n\r\n", 505,
       "HTTP Version Not Supported"},
      {"whitespace before colon", "GET / HTTP/1.1\r\n" + accept + "Host : a\r\n\r\n", 400,
       "Bad Request"},
      {"head too large",
       "GET / HTTP/1.1\r\n" + accept + "X: " + std::string(1100, 'v') + "\r\n\r\n", 431,
       "Request Header Fields Too Large"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_form(Connection().send(c.request), c.status, c.reason, false, false);
  }
  Connection slow;
  EXPECT_EQ(slow.send("GET / HTTP/1.1\r\n" + accept), "");
  expect_form(slow.time_out(), 408, "Request Timeout", false, false);
}

// A timeout while the body of an HTML-accepting request arrives: its page.
TEST(HttpSession, TimeoutInTheBodyFollowsTheAccept) {
  Connection connection;
  EXPECT_EQ(connection.send("GET / HTTP/1.1\r\nHost: a\r\n" + std::string(kBrowserAccept) +
                            "Content-Length: 9\r\n\r\nabc"),
            "");
  expect_form(connection.time_out(), 408, "Request Timeout", true, true);
}

// What one request's Accept chose is forgotten once it is answered.
TEST(HttpSession, TheNextRequestsErrorIsPlainAgain) {
  const std::string good = "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(kBrowserAccept) + "\r\n";
  Connection connection;
  const std::string answer = connection.send(good + "GET/ HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(answer.starts_with(ok_answer("", false))) << answer;
  expect_form(answer.substr(ok_answer("", false).size()), 400, "Bad Request", false, false);

  Connection slow;
  EXPECT_EQ(slow.send(good + "GET / HT"), ok_answer("", false));
  expect_form(slow.time_out(), 408, "Request Timeout", false, false);
}

// --- the access log and the metrics ---

// The clock the sessions below read (HttpSettings::clock): time moves only
// when a test moves it.
Clock::time_point fake_now;

Clock::time_point fake_clock() noexcept {
  return fake_now;
}

// What the access log got: each line's text, PEER and journal fields.
struct Logged {
  std::string text;
  std::string peer;
  std::map<std::string, std::string> fields;
};

class CaptureSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  std::vector<Logged> lines;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    Logged line{std::string(msg.payload.data(), msg.payload.size()),
                std::string(log::PeerScope::peer()),
                {}};
    for (const log::Field& field : log::FieldScope::fields())
      line.fields.emplace(field.name, field.value);
    lines.push_back(std::move(line));
  }
  void flush_() override {}
};

// One connection with an access log and counters of its own.
class LoggedConnection {
 public:
  explicit LoggedConnection(bool access_log = true,
                            spdlog::level::level_enum level = spdlog::level::info)
      : sink_(std::make_shared<CaptureSink>()),
        logger_("access", sink_),
        slot_(std::make_unique<metrics::Slot>()),
        metrics_(*slot_, 0) {
    logger_.set_level(level);
    HttpSettings settings = small_settings();
    settings.access_log = access_log;
    settings.clock = fake_clock;
    SessionContext context;
    context.peer = "192.0.2.1:5";
    context.log = &logger_;
    context.metrics = metrics_;
    session_ = make_http_session(make_site(settings), context);
  }

  // Returns what was answered.
  std::string send(std::string_view bytes) {
    session_->receive(bytes, out_);
    return drain();
  }
  std::string time_out() {
    session_->last_words(Ending::read_timeout, out_);
    return drain();
  }
  bool partial() const noexcept { return session_->partial(); }

  const std::vector<Logged>& lines() const noexcept { return sink_->lines; }
  std::string text() const {
    std::string all;
    for (const Logged& line : lines()) all += line.text + "\n";
    return all;
  }
  // Responses counted with `status`.
  std::uint64_t counted(int status) const noexcept {
    return metrics_.here().http_requests[metrics::http_code_slot(status)].load();
  }
  const metrics::HistogramCells<metrics::kRequestBounds.size()>& durations() const noexcept {
    return metrics_.here().request_duration;
  }

 private:
  std::string drain() {
    std::string answer;
    while (!out_.pending().empty()) {
      answer += out_.pending();
      out_.consume(out_.pending().size());
    }
    return answer;
  }

  std::shared_ptr<CaptureSink> sink_;
  spdlog::logger logger_;
  std::unique_ptr<metrics::Slot> slot_;
  metrics::ListenerMetrics metrics_;
  std::unique_ptr<Session> session_;
  Outbox out_;
};

// The access log's text for what `input` brings on one connection at once
// (then a read timeout, if it is left waiting), and everything answered.
struct AccessLogOf {
  std::string text;
  std::string answer;
};

AccessLogOf access_log_of(std::string_view input) {
  LoggedConnection connection;
  std::string answer = connection.send(input);
  if (connection.partial()) answer += connection.time_out();
  return {connection.text(), answer};
}

// The line of an error response of `bytes`, arriving at once (0.000ms), with
// neither Referer nor User-Agent.
std::string error_line(std::string_view line, int status, std::size_t bytes,
                       std::string_view detail) {
  return fmt::format("192.0.2.1:5 \"{}\" {} {} 0.000ms \"-\" \"-\" ({})\n", line, status, bytes,
                     detail);
}

// The line of a sole error response: its bytes are everything answered.
void expect_error_line(std::string_view input, std::string_view line, int status,
                       std::string_view detail) {
  SCOPED_TRACE(input);
  const AccessLogOf log = access_log_of(input);
  ASSERT_TRUE(log.answer.starts_with(fmt::format("HTTP/1.1 {} ", status))) << log.answer;
  EXPECT_EQ(log.text, error_line(line, status, log.answer.size(), detail));
}

// A request refused for its method or version is named as it was sent; a
// request line too broken to read is "-".
TEST(HttpSession, AccessLogNamesTheRequestOfAnError) {
  expect_error_line("DELETE /x?y=1 HTTP/1.1\r\nHost: a\r\n\r\n", "DELETE /x?y=1 HTTP/1.1", 405,
                    "method not allowed");
  expect_error_line("GET /v HTTP/2.0\r\nHost: a\r\n\r\n", "GET /v HTTP/2.0", 505,
                    "HTTP version not supported");
  expect_error_line("GET /v HTTP/1.9\r\n",  // before its fields even
                    "GET /v HTTP/1.9", 505, "HTTP version not supported");
  expect_error_line("GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1", 400, "missing Host header");
  expect_error_line("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                    "GET / HTTP/1.1", 400, "malformed chunk size");
  expect_error_line("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nabc",
                    "GET / HTTP/1.1", 408, "the request did not arrive in time");
  expect_error_line("GET/ HTTP/1.1\r\nHost: a\r\n\r\n", "-", 400, "malformed request line");
}

// Bytes are each whole response's, head and body (none for HEAD).
TEST(HttpSession, AccessLogOfAnswersAndOfTheNextRequest) {
  const std::size_t get = ok_answer("", false).size();
  const std::size_t head = ok_answer("Connection: close\r\n", true).size();  // HTTP/1.0
  EXPECT_EQ(access_log_of("GET /a HTTP/1.1\r\nHost: a\r\n\r\nHEAD /b HTTP/1.0\r\n\r\n").text,
            fmt::format("192.0.2.1:5 \"GET /a HTTP/1.1\" 200 {} 0.000ms \"-\" \"-\"\n"
                        "192.0.2.1:5 \"HEAD /b HTTP/1.0\" 200 {} 0.000ms \"-\" \"-\"\n",
                        get, head));
  // After an answer, an error of the next request is not about the last.
  const std::string ok_line =
      fmt::format("192.0.2.1:5 \"GET /a HTTP/1.1\" 200 {} 0.000ms \"-\" \"-\"\n", get);
  const AccessLogOf timed_out = access_log_of("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET / HT");
  EXPECT_EQ(timed_out.text, ok_line + error_line("-", 408, timed_out.answer.size() - get,
                                                 "the request did not arrive in time"));
  const AccessLogOf refused =
      access_log_of("GET /a HTTP/1.1\r\nHost: a\r\n\r\nPUT /b HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(refused.text, ok_line + error_line("PUT /b HTTP/1.1", 405, refused.answer.size() - get,
                                               "method not allowed"));
}

// One request with a Referer and a User-Agent, whose head arrives in two
// reads 1.5 ms apart and whose body 2 ms later (discarded): the line and its fields.
TEST(HttpSession, AccessLogLineAndFieldsOfARequest) {
  LoggedConnection connection;
  fake_now = Clock::time_point(std::chrono::seconds(100));
  EXPECT_EQ(connection.send("GET /p?q=1 HTTP/1.1\r\nHost: a\r\nuser-agent: curl/7.88 \"x\"\r\n"),
            "");
  fake_now += std::chrono::microseconds(1500);
  EXPECT_EQ(connection.send("Referer: http://a/\r\nUser-Agent: second\r\nContent-Length: 3\r\n\r\n"),
            "");
  fake_now += std::chrono::microseconds(2000);
  const std::string answer = connection.send("abc");
  EXPECT_EQ(answer, ok_answer("", false));
  ASSERT_EQ(connection.lines().size(), 1u);
  const Logged& line = connection.lines()[0];
  EXPECT_EQ(line.text, fmt::format("192.0.2.1:5 \"GET /p?q=1 HTTP/1.1\" 200 {} 3.500ms "
                                   "\"http://a/\" \"curl/7.88 \\\"x\\\"\"",
                                   answer.size()));
  EXPECT_EQ(line.peer, "192.0.2.1:5");
  const std::map<std::string, std::string> fields = {
      {"HTTP_METHOD", "GET"},
      {"HTTP_TARGET", "/p?q=1"},
      {"HTTP_VERSION", "HTTP/1.1"},
      {"HTTP_STATUS", "200"},
      {"HTTP_USER_AGENT", "curl/7.88 \"x\""},  // the first one
      {"HTTP_REFERER", "http://a/"},
      {"DURATION_USEC", "3500"},
      {"BYTES_OUT", std::to_string(answer.size())}};
  EXPECT_EQ(line.fields, fields);
  EXPECT_EQ(log::PeerScope::peer(), "");
  EXPECT_TRUE(log::FieldScope::fields().empty());

  // The next request's clock starts with its own first byte.
  fake_now += std::chrono::seconds(30);
  connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_EQ(connection.lines().size(), 2u);
  EXPECT_EQ(connection.lines()[1].fields.at("DURATION_USEC"), "0");
  EXPECT_FALSE(connection.lines()[1].fields.contains("HTTP_REFERER"));
  EXPECT_FALSE(connection.lines()[1].fields.contains("HTTP_USER_AGENT"));
}

// What is not known is left out of the fields: a broken request line has
// no method, target or version.
TEST(HttpSession, AccessLogFieldsOfAMalformedRequest) {
  LoggedConnection connection;
  const std::string answer = connection.send("GET/ HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_EQ(connection.lines().size(), 1u);
  const std::map<std::string, std::string> fields = {
      {"HTTP_STATUS", "400"},
      {"DURATION_USEC", "0"},
      {"BYTES_OUT", std::to_string(answer.size())}};
  EXPECT_EQ(connection.lines()[0].fields, fields);
}

TEST(HttpSession, DurationsReadAsWritten) {
  EXPECT_EQ(format_duration(0), "0.000ms");
  EXPECT_EQ(format_duration(42), "0.042ms");
  EXPECT_EQ(format_duration(999'999), "999.999ms");
  EXPECT_EQ(format_duration(1'000'000), "1.000s");
  EXPECT_EQ(format_duration(12'345'678), "12.346s");
}

// Every response counts once, by status, with its request's duration,
// whether or not the access log is on or logs at this level.
TEST(HttpSession, EveryResponseIsCountedOnce) {
  for (const bool access_log : {true, false}) {
    for (const auto level : {spdlog::level::info, spdlog::level::warn}) {
      SCOPED_TRACE(fmt::format("access_log {} level {}", access_log, static_cast<int>(level)));
      LoggedConnection connection(access_log, level);
      fake_now = Clock::time_point(std::chrono::seconds(5));
      connection.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET");
      fake_now += std::chrono::microseconds(700);
      connection.send(" /b HTTP/1.1\r\nHost: a\r\n\r\nDELETE / HTTP/1.1\r\nHost: a\r\n\r\nGET");
      connection.send(" / HTTP/1.1\r\n\r\n");  // after the 405 closed it: not read
      EXPECT_EQ(connection.counted(200), 3u);
      EXPECT_EQ(connection.counted(405), 1u);
      EXPECT_EQ(connection.counted(400), 0u);
      const auto& durations = connection.durations();
      EXPECT_EQ(durations.sum_usec.load(), 700u);
      EXPECT_EQ(durations.buckets[0].load(), 3u);  // <= 100 us: 0, 0, 0
      EXPECT_EQ(durations.buckets[3].load(), 1u);  // <= 1 ms: 700
      const bool logs = access_log && level == spdlog::level::info;
      EXPECT_EQ(connection.lines().size(), logs ? 4u : 0u);
    }
  }
}

TEST(HttpSession, ATimedOutRequestCountsAs408) {
  LoggedConnection connection(false);
  fake_now = Clock::time_point(std::chrono::seconds(5));
  connection.send("GET / HTTP/1.1\r\nHo");
  fake_now += std::chrono::seconds(2);
  ASSERT_TRUE(connection.partial());
  EXPECT_TRUE(connection.time_out().starts_with("HTTP/1.1 408 "));
  EXPECT_EQ(connection.time_out(), "");  // once
  EXPECT_EQ(connection.counted(408), 1u);
  EXPECT_EQ(connection.durations().sum_usec.load(), 2'000'000u);
  EXPECT_EQ(connection.durations().buckets[13].load(), 1u);  // <= 2.5 s

}

// --- the read timeout ---

TEST(HttpSession, TimeoutInTheHeadIs408) {
  Connection connection;
  EXPECT_EQ(connection.send("GET / HTTP/1.1\r\nHo"), "");
  ASSERT_TRUE(connection.partial());
  expect_error(connection.time_out(), 408, "Request Timeout", false,
               "the request did not arrive in time");
  EXPECT_TRUE(connection.closing());
  EXPECT_EQ(connection.send("st: a\r\n\r\n"), "");
  EXPECT_EQ(connection.time_out(), "");
}

TEST(HttpSession, TimeoutInTheBodyIs408) {
  Connection connection;
  EXPECT_EQ(connection.send(std::string(kGet) +
                            "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nabc"),
            ok_answer("", false));
  ASSERT_TRUE(connection.partial());
  expect_error(connection.time_out(), 408, "Request Timeout", false,
               "the request did not arrive in time");
  EXPECT_TRUE(connection.closing());
}

TEST(HttpSession, TimeoutOfAHeadRequestHasNoBody) {
  Connection connection;
  EXPECT_EQ(connection.send("HEAD / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nabc"), "");
  expect_error(connection.time_out(), 408, "Request Timeout", true);
}

}  // namespace
}  // namespace netcook::proto::http
