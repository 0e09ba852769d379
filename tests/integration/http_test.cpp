// HTTP/1.1 through the real daemon, once per model (and epoll and
// coroutine with two workers): the fixed response byte for byte; curl
// reusing one connection for two URLs, HEAD, Range, If-Range, If-None-Match
// and If-Modified-Since; path traversal in every spelling, symlinks out of the
// root included, never reaching a secret file next to the root; 403 for a
// directory without an index inside the root, 404 outside it; error pages
// in HTML for a browser's Accept, plain text otherwise; a hundred
// pipelined requests answered in order; every malformed request answered
// with its status and the connection closed; keep-alive rules of HTTP/1.1
// and 1.0; a slowloris client cut off with 408 while another is served; a
// sparse file streamed with the right SHA-256 and the daemon's memory flat
// (1 GiB under epoll, thread and fork; 64 MiB under the others, to keep the
// run short); 503 at max_connections; IPv6; the access log. Then, on epoll only,
// headless Chromium loading a small site with a stylesheet and an image.
//
// curl and chromium are real clients run as child processes with time
// limits of their own; the other tests speak HTTP by hand over raw sockets
// (http_reply.hpp). Tests that need a program that is not installed skip.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "http_reply.hpp"
#include "models.hpp"
#include "proc_tree.hpp"
#include "process.hpp"
#include "sha256.hpp"
#include "temp_dir.hpp"
#include "tiny_png.hpp"
#include "traversal_site.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <ostream>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::test {
namespace {

// ---- files, programs and URLs ----

// Writes `content` to DIR/`relative`, making directories on the way.
std::string put_file(const TempDir& dir, const std::string& relative, std::string_view content) {
  const std::filesystem::path path = dir.file(relative);
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path.string();
}

std::string url(std::uint16_t port, std::string_view path = "/") {
  return "http://127.0.0.1:" + std::to_string(port) + std::string(path);
}

const std::optional<std::string>& curl_program() {
  static const auto path = find_program("curl");
  return path;
}

// curl with its own time limit, no proxy from the environment, and errors
// on stderr; `args` are the rest.
RunResult run_curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{*curl_program(), "--silent", "--show-error", "--max-time", "20",
                                "--noproxy",     "*"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_to_completion(argv, Timeout{30'000});
}

#define REQUIRE_CURL()                                            \
  do {                                                            \
    if (!curl_program()) GTEST_SKIP() << "curl is not installed"; \
  } while (false)

// A curl run whose only stdout is -w's "%{http_code}": the status, or 0.
int curl_status(const RunResult& run) {
  return run.exit_status == 0 && !run.out.empty() ? std::atoi(run.out.c_str()) : 0;
}

// The value of header `name` in a curl -D/-I dump ("Name: value\r\n").
std::string dumped_header(const std::string& dump, const std::string& name) {
  const std::regex pattern("(^|\n)" + name + ": ([^\r\n]*)", std::regex::icase);
  std::smatch match;
  return std::regex_search(dump, match, pattern) ? match[2].str() : std::string();
}

class Http : public ::testing::TestWithParam<ModelCase> {
 protected:
  HttpListener listener(const std::string& name = "web") const {
    return {.name = name, .model = GetParam().model, .workers = GetParam().workers};
  }
  HttpListener site(const TempDir& root, const std::string& name = "web") const {
    auto spec = listener(name);
    spec.root = root.path();
    return spec;
  }
};

// ---- the fixed response ----

TEST_P(Http, FixedResponseIsExact) {
  auto custom = listener("custom");
  custom.body = "{\"ok\": true}\n";
  custom.content_type = "application/json";
  Daemon daemon(make_http_config({listener(), custom}));
  const auto port = daemon.port_of("web");
  auto client = Client::connect(port);
  ASSERT_EQ(client.write_all(http_get("/any/path?x=1")), IoStatus::ok);
  const auto reply = read_reply(client);
  ASSERT_EQ(reply.io, IoStatus::ok);
  EXPECT_EQ(reply.status_line, "HTTP/1.1 200 OK");
  std::set<std::string> names;
  for (const auto& [name, value] : reply.headers) names.insert(name);
  EXPECT_EQ(names, (std::set<std::string>{"Content-Length", "Content-Type", "Date", "Server"}));
  EXPECT_TRUE(std::regex_match(reply.header("Server").value_or(""), std::regex(R"(netcookd/\S+)")))
      << reply.header("Server").value_or("(none)");
  EXPECT_EQ(reply.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(reply.header("Content-Length"), "25");
  EXPECT_TRUE(std::regex_match(
      reply.header("Date").value_or(""),
      std::regex(R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep)"
                 R"(|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT)")))
      << reply.header("Date").value_or("(none)");
  EXPECT_EQ(reply.body, "Hello from Epoll Server!\n");

  // HEAD: the same head, no body (the next response follows at once).
  ASSERT_EQ(client.write_all(http_get("/", "", "HEAD") + http_get("/")), IoStatus::ok);
  const auto head = read_reply(client, kWait, true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("Content-Length"), "25");
  EXPECT_EQ(read_reply(client).body, "Hello from Epoll Server!\n");

  // The body and Content-Type from the file.
  auto other = Client::connect(daemon.port_of("custom"));
  ASSERT_EQ(other.write_all(http_get("/")), IoStatus::ok);
  const auto json = read_reply(other);
  EXPECT_EQ(json.header("Content-Type"), "application/json");
  EXPECT_EQ(json.body, "{\"ok\": true}\n");

  if (!curl_program()) return;
  const auto run = run_curl({url(port)});
  EXPECT_EQ(run.exit_status, 0) << run.err;
  EXPECT_EQ(run.out, "Hello from Epoll Server!\n");
}

// ---- curl: keep-alive, HEAD, Range, conditional requests, redirects ----

TEST_P(Http, CurlReusesOneConnectionForTwoUrls) {
  REQUIRE_CURL();
  TempDir root;
  put_file(root, "alpha.txt", "alpha\n");
  put_file(root, "beta.txt", "beta\n");
  Daemon daemon(make_http_config({site(root)}));
  const auto port = daemon.port_of("web");
  const auto mark = daemon.log_mark();
  const auto run = run_curl({"--verbose", url(port, "/alpha.txt"), url(port, "/beta.txt")});
  ASSERT_EQ(run.exit_status, 0) << run.err;
  EXPECT_EQ(run.out, "alpha\nbeta\n");
  EXPECT_NE(run.err.find("Re-using existing connection"), std::string::npos) << run.err;

  // The daemon accepted one connection for both: count its "connection
  // from" lines up to a connection of our own, made after curl ended.
  auto sentinel = Client::connect(port);
  ASSERT_EQ(sentinel.write_all(http_get("/alpha.txt")), IoStatus::ok);
  EXPECT_EQ(read_reply(sentinel).body, "alpha\n");
  const auto ours = daemon.wait_for_line(
      "connection from " + regex_escape(sentinel.local_address()) + R"((\s|$))", kWait, mark);
  const auto lines = daemon.log().lines();
  const auto accepted = std::count_if(
      lines.begin() + static_cast<std::ptrdiff_t>(mark),
      lines.begin() + static_cast<std::ptrdiff_t>(ours.index),
      [](const std::string& line) { return line.find("connection from ") != std::string::npos; });
  EXPECT_EQ(accepted, 1) << "curl's connections";
}

TEST_P(Http, CurlHeadRangeAndConditionalRequests) {
  REQUIRE_CURL();
  TempDir root;
  const std::string text = "0123456789abcdef\n";
  put_file(root, "data.txt", text);
  put_file(root, "docs/index.html", "<p>docs</p>\n");
  TempDir scratch;
  const std::string body = scratch.file("body");
  Daemon daemon(make_http_config({site(root)}));
  const auto port = daemon.port_of("web");
  const std::string data_url = url(port, "/data.txt");

  // HEAD: the headers GET would get, no body.
  const auto head = run_curl({"--head", data_url});
  ASSERT_EQ(head.exit_status, 0) << head.err;
  EXPECT_TRUE(head.out.starts_with("HTTP/1.1 200 OK\r\n")) << head.out;
  EXPECT_EQ(dumped_header(head.out, "Content-Length"), "17");
  EXPECT_EQ(dumped_header(head.out, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(dumped_header(head.out, "Accept-Ranges"), "bytes");
  const std::string etag = dumped_header(head.out, "ETag");
  const std::string modified = dumped_header(head.out, "Last-Modified");
  ASSERT_FALSE(etag.empty()) << head.out;
  ASSERT_FALSE(modified.empty()) << head.out;

  // Ranges: a middle, a suffix, an open end; one past the end is 416.
  const auto range = [&](const std::string& spec, const std::vector<std::string>& extra = {}) {
    std::filesystem::remove(body);
    std::vector<std::string> args = extra;
    args.insert(args.end(), {"--range", spec, "--output", body, "--dump-header",
                             scratch.file("head"), "--write-out", "%{http_code}", data_url});
    return run_curl(args);
  };
  auto run = range("2-5");
  EXPECT_EQ(curl_status(run), 206) << run.err;
  EXPECT_EQ(read_text(body), "2345");
  EXPECT_EQ(dumped_header(read_text(scratch.file("head")), "Content-Range"), "bytes 2-5/17");
  run = range("-3");
  EXPECT_EQ(curl_status(run), 206) << run.err;
  EXPECT_EQ(read_text(body), "ef\n");
  run = range("10-");
  EXPECT_EQ(curl_status(run), 206) << run.err;
  EXPECT_EQ(read_text(body), "abcdef\n");
  run = range("17-20");
  EXPECT_EQ(curl_status(run), 416) << run.err;
  EXPECT_EQ(dumped_header(read_text(scratch.file("head")), "Content-Range"), "bytes */17");

  // If-Range: the range while the validator is still this file's, else
  // the whole file.
  run = range("0-9", {"--header", "If-Range: " + etag});
  EXPECT_EQ(curl_status(run), 206) << run.err;
  EXPECT_EQ(read_text(body), "0123456789");
  run = range("0-9", {"--header", "If-Range: " + modified});
  EXPECT_EQ(curl_status(run), 206) << run.err;
  for (const std::string& other :
       std::vector<std::string>{"\"nope\"", "W/" + etag, "Thu, 01 Jan 1998 00:00:00 GMT"}) {
    SCOPED_TRACE(other);
    run = range("0-9", {"--header", "If-Range: " + other});
    EXPECT_EQ(curl_status(run), 200) << run.err;
    EXPECT_EQ(read_text(body), text);
    const std::string dump = read_text(scratch.file("head"));
    EXPECT_EQ(dumped_header(dump, "Content-Length"), "17");
    EXPECT_EQ(dumped_header(dump, "Content-Range"), "");
    EXPECT_EQ(dumped_header(dump, "ETag"), etag);
  }

  // Conditional requests with the validators of the first response.
  const auto conditional = [&](const std::vector<std::string>& extra) {
    std::filesystem::remove(body);
    std::vector<std::string> args{"--output", body, "--write-out", "%{http_code}"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(data_url);
    return run_curl(args);
  };
  run = conditional({"--header", "If-None-Match: " + etag});
  EXPECT_EQ(curl_status(run), 304) << run.err;
  EXPECT_EQ(read_text(body), "");
  run = conditional({"--header", "If-None-Match: \"other\", " + etag});
  EXPECT_EQ(curl_status(run), 304) << run.err;
  run = conditional({"--header", "If-None-Match: \"other\""});
  EXPECT_EQ(curl_status(run), 200) << run.err;
  EXPECT_EQ(read_text(body), text);
  run = conditional({"--time-cond", modified});
  EXPECT_EQ(curl_status(run), 304) << run.err;
  run = conditional({"--time-cond", "Thu, 01 Jan 1998 00:00:00 GMT"});
  EXPECT_EQ(curl_status(run), 200) << run.err;

  // A directory without its slash: 301 to it, then its index.
  run = run_curl({"--location", "--output", body, "--dump-header", scratch.file("head"),
                  "--write-out", "%{http_code} %{num_redirects}", url(port, "/docs")});
  EXPECT_EQ(run.out, "200 1\n") << run.err;  // LineLog ends every line
  EXPECT_EQ(read_text(body), "<p>docs</p>\n");
  EXPECT_EQ(dumped_header(read_text(scratch.file("head")), "Location"), "/docs/");
}

// ---- path traversal ----

// Targets that try to leave the root: ".." (in six spellings) at every
// position of a path of up to four segments, then the secret or
// /etc/passwd; and fixed ones for symlinks, absolute form and odd forms.
std::vector<std::string> traversal_targets() {
  const std::vector<std::string> up{"..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "%252e%252e"};
  const std::vector<std::string> ends{"secret.txt", "etc/passwd"};
  std::vector<std::string> targets;
  int spelling = 0;
  for (int length = 1; length <= 4; ++length) {
    for (unsigned mask = 1; mask < (1u << length); ++mask) {
      for (const auto& end : ends) {
        std::string target;
        for (int i = 0; i < length; ++i) {
          target += "/" + ((mask >> i & 1u) != 0 ? up[spelling++ % up.size()] : "sub");
        }
        targets.push_back(target + "/" + end);
      }
    }
  }
  const std::vector<std::string> fixed{
      "/../../etc/passwd",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/%252e%252e/%252e%252e/etc/passwd",
      "/../secret.txt",
      "/./../secret.txt",
      "//../secret.txt",
      "/sub/./../../secret.txt",
      "/sub/deeper/../../../secret.txt",
      "/..%2fsecret.txt",
      "/%2e%2e%2fsecret.txt",
      "/..\\secret.txt",
      "/....//secret.txt",
      "/.../secret.txt",
      "/secret.txt%00.html",
      "/link-out",
      "/link-absolute",
      "/dir-out/secret.txt",
      "/dir-out/www/public.txt",
      "/sub/up-two/secret.txt",
      "/etc-link/passwd",
      "http://localhost/../secret.txt",
      "HTTP://localhost/%2e%2e/secret.txt",
      "/..",
      "/../",
      "/sub/..",
      "/sub/../..",
  };
  targets.insert(targets.end(), fixed.begin(), fixed.end());
  return targets;
}

TEST_P(Http, TraversalNeverLeavesTheRoot) {
  TraversalSite traversal;
  auto spec = listener();
  spec.root = traversal.root;
  Daemon daemon(make_http_config({spec}));
  const auto port = daemon.port_of("web");

  // Raw requests on keep-alive connections (a new one after a 400 closes).
  const auto targets = traversal_targets();
  std::map<int, int> statuses;
  std::optional<Client> client;
  for (const auto& target : targets) {
    if (!client) client = Client::connect(port);
    ASSERT_EQ(client->write_all(http_get(target)), IoStatus::ok) << target;
    const auto reply = read_reply(*client);
    ASSERT_EQ(reply.io, IoStatus::ok) << target;
    expect_nothing_leaked(traversal, target, reply.status, reply.body);
    ++statuses[reply.status];
    if (reply.closes()) {
      EXPECT_EQ(client->wait_closed(kWait), IoStatus::closed) << target;
      client.reset();
    }
  }
  std::cout << "[ info     ] " << targets.size() << " targets:";
  for (const auto& [status, count] : statuses) std::cout << " " << count << " x " << status;
  std::cout << "\n";
  EXPECT_GE(statuses[404], 50) << "too few attempts reached the file system";
  EXPECT_GT(statuses[400], 0);
  // The public files are still there.
  auto check = Client::connect(port);
  ASSERT_EQ(check.write_all(http_get("/sub/deeper/../inner.txt")), IoStatus::ok);
  EXPECT_EQ(read_reply(check).body, "inner\n");

  // curl with --path-as-is sends the dots as written.
  if (!curl_program()) return;
  TempDir scratch;
  const std::string body = scratch.file("body");
  for (const std::string target :
       {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%252e%252e/%252e%252e/etc/passwd",
        "/../secret.txt", "/sub/../../secret.txt", "/link-out", "/dir-out/secret.txt",
        "/etc-link/passwd"}) {
    std::filesystem::remove(body);
    const auto run = run_curl(
        {"--path-as-is", "--output", body, "--write-out", "%{http_code}", url(port, target)});
    const int status = curl_status(run);
    EXPECT_TRUE(status == 400 || status == 404) << target << ": " << run.out << run.err;
    expect_nothing_leaked(traversal, target, status, read_text(body));
  }
}

// A directory inside the root without an index is 403, never listed; one
// outside it, or whose index leads out, stays 404 like anything unknown.
TEST_P(Http, DirectoryWithoutAnIndexIsForbiddenOnlyInsideTheRoot) {
  TraversalSite traversal;
  auto spec = listener();
  spec.root = traversal.root;
  Daemon daemon(make_http_config({spec}));
  auto client = Client::connect(daemon.port_of("web"));
  const std::vector<std::pair<std::string, int>> cases = {
      {"/sub/", 403},        {"/sub/deeper/", 403},   {"/", 200},
      {"/dir-out/", 404},    {"/dir-absolute/", 404}, {"/trap/", 404},
      {"/sub/up-two/", 404},
  };
  for (const auto& [target, status] : cases) {
    SCOPED_TRACE(target);
    ASSERT_EQ(client.write_all(http_get(target)), IoStatus::ok);
    const auto reply = read_reply(client);
    ASSERT_EQ(reply.io, IoStatus::ok);
    EXPECT_EQ(reply.status, status);
    EXPECT_EQ(reply.body.find("inner.txt"), std::string::npos) << reply.body;
    EXPECT_FALSE(reply.closes());
    if (status != 403) expect_nothing_leaked(traversal, target, reply.status, reply.body);
  }
}

// ---- error pages ----

// A browser gets an HTML page for an error, curl the plain text line.
TEST_P(Http, BrowsersGetErrorPagesInHtml) {
  TempDir root;
  put_file(root, "public.txt", "public\n");
  Daemon daemon(make_http_config({site(root)}));
  const auto port = daemon.port_of("web");
  const std::string browser =
      "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n";
  auto client = Client::connect(port);
  ASSERT_EQ(
      client.write_all(http_get("/missing", browser) + http_get("/missing", "Accept: */*\r\n") +
                       http_get("/missing", browser, "POST")),
      IoStatus::ok);
  const auto page = read_reply(client);
  ASSERT_EQ(page.io, IoStatus::ok);
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.header("Vary"), "Accept");
  EXPECT_EQ(page.header("Content-Length"), std::to_string(page.body.size()));
  EXPECT_TRUE(page.body.starts_with("<!DOCTYPE html>")) << page.body;
  EXPECT_NE(page.body.find("<h1>404 Not Found</h1>"), std::string::npos) << page.body;
  EXPECT_FALSE(page.closes());

  const auto plain = read_reply(client);
  EXPECT_EQ(plain.status, 404);
  EXPECT_EQ(plain.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(plain.body, "404 Not Found: no such file\n");

  const auto refused = read_reply(client);
  EXPECT_EQ(refused.status, 405);
  EXPECT_EQ(refused.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(refused.header("Allow"), "GET, HEAD");
  EXPECT_NE(refused.body.find("<title>405 Method Not Allowed</title>"), std::string::npos);
  EXPECT_TRUE(refused.closes());
  EXPECT_EQ(client.wait_closed(kWait), IoStatus::closed);
}

// ---- pipelining ----

TEST_P(Http, HundredPipelinedRequestsAreAnsweredInOrder) {
  constexpr int kRequests = 100;
  TempDir root;
  std::vector<std::string> bodies;
  for (int i = 0; i < kRequests; ++i) {
    // Sizes differ, so a response cut or swapped would show.
    bodies.push_back("page " + std::to_string(i) + " " + std::string(i * 37 % 500, 'x') + "\n");
    put_file(root, std::to_string(i), bodies.back());
  }
  Daemon daemon(make_http_config({site(root)}));
  auto client = Client::connect(daemon.port_of("web"));
  std::string requests;
  for (int i = 0; i < kRequests; ++i) {
    const bool head = i % 7 == 3;
    requests += http_get("/" + std::to_string(i), "", head ? "HEAD" : "GET");
  }
  ASSERT_EQ(client.write_all(requests), IoStatus::ok);
  const Deadline deadline(kLongWait);
  for (int i = 0; i < kRequests; ++i) {
    const bool head = i % 7 == 3;
    const auto reply = read_reply(client, deadline.remaining(), head);
    ASSERT_EQ(reply.io, IoStatus::ok) << "response " << i;
    ASSERT_EQ(reply.status, 200) << "response " << i;
    ASSERT_EQ(reply.header("Content-Length"), std::to_string(bodies[i].size())) << i;
    if (!head) {
      ASSERT_EQ(reply.body, bodies[i]) << "response " << i;
    }
  }
  EXPECT_EQ(client.wait_closed(Timeout{0}), IoStatus::timeout) << "more than 100 responses";
  // Still open and usable.
  ASSERT_EQ(client.write_all(http_get("/42")), IoStatus::ok);
  EXPECT_EQ(read_reply(client).body, bodies[42]);
}

// ---- malformed requests ----

struct BadRequest {
  const char* what;
  std::string request;
  int status;
};

std::vector<BadRequest> bad_requests() {
  const std::string host = "Host: localhost\r\n";
  return {
      {"space before colon", "GET / HTTP/1.1\r\nHost : localhost\r\n\r\n", 400},
      {"no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400},
      {"line folding", "GET / HTTP/1.1\r\n" + host + "X-A: 1\r\n  2\r\n\r\n", 400},
      {"length and chunked",
       "GET / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"POST", "POST / HTTP/1.1\r\n" + host + "Content-Length: 3\r\n\r\nabc", 405},
      {"DELETE", "DELETE / HTTP/1.1\r\n" + host + "\r\n", 405},
      {"HTTP/2.0", "GET / HTTP/2.0\r\n" + host + "\r\n", 505},
      {"HTTP/1.2", "GET / HTTP/1.2\r\n" + host + "\r\n", 505},
      {"20 KiB header",
       "GET / HTTP/1.1\r\n" + host + "X-Big: " + std::string(20000, 'b') + "\r\n\r\n", 431},
      {"101 fields",
       [&] {
         std::string request = "GET / HTTP/1.1\r\n" + host;
         for (int i = 0; i < 101; ++i) request += "X-" + std::to_string(i) + ": v\r\n";
         return request + "\r\n";
       }(),
       431},
      {"9000-byte target", "GET /" + std::string(9000, 't') + " HTTP/1.1\r\n" + host + "\r\n", 414},
      {"2 MB body", "GET / HTTP/1.1\r\n" + host + "Content-Length: 2000000\r\n\r\n", 413},
      {"gzip coding", "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\n", 501},
  };
}

TEST_P(Http, MalformedRequestsGetTheirStatusThenTheConnectionCloses) {
  Daemon daemon(make_http_config({listener()}));
  const auto port = daemon.port_of("web");
  for (const auto& bad : bad_requests()) {
    SCOPED_TRACE(bad.what);
    // After a good request on the same connection, pipelined with it.
    auto client = Client::connect(port);
    ASSERT_EQ(client.write_all(http_get("/") + bad.request), IoStatus::ok);
    EXPECT_EQ(read_reply(client).status, 200);
    const auto reply = read_reply(client);
    ASSERT_EQ(reply.io, IoStatus::ok);
    EXPECT_TRUE(reply.status_line.starts_with("HTTP/1.1 " + std::to_string(bad.status) + " "))
        << reply.status_line;
    EXPECT_TRUE(reply.closes());
    EXPECT_EQ(reply.header("Content-Length"), std::to_string(reply.body.size()));
    if (bad.status == 405) {
      EXPECT_EQ(reply.header("Allow"), "GET, HEAD");
    }
    EXPECT_EQ(client.wait_closed(kWait), IoStatus::closed);
  }
}

// ---- keep-alive ----

TEST_P(Http, KeepAliveFollowsTheVersionAndConnectionHeader) {
  Daemon daemon(make_http_config({listener()}));
  const auto port = daemon.port_of("web");

  // HTTP/1.1: open until "Connection: close"; nothing after it is served.
  auto eleven = Client::connect(port);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(eleven.write_all(http_get("/")), IoStatus::ok);
    const auto reply = read_reply(eleven);
    EXPECT_EQ(reply.status, 200);
    EXPECT_FALSE(reply.header("Connection")) << *reply.header("Connection");
  }
  ASSERT_EQ(eleven.write_all(http_get("/", "Connection: close\r\n") + http_get("/")), IoStatus::ok);
  const auto last = read_reply(eleven);
  EXPECT_EQ(last.status, 200);
  EXPECT_EQ(last.header("Connection"), "close");
  EXPECT_EQ(eleven.wait_closed(kWait), IoStatus::closed) << "a response after Connection: close";

  // HTTP/1.0: closed after one response...
  auto ten = Client::connect(port);
  ASSERT_EQ(ten.write_all(http_get("/", "", "GET", "HTTP/1.0")), IoStatus::ok);
  const auto once = read_reply(ten);
  EXPECT_EQ(once.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(once.header("Connection"), "close");
  EXPECT_EQ(ten.wait_closed(kWait), IoStatus::closed);

  // ...unless it asks for keep-alive, each time.
  auto kept = Client::connect(port);
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(kept.write_all(http_get("/", "Connection: keep-alive\r\n", "GET", "HTTP/1.0")),
              IoStatus::ok);
    const auto reply = read_reply(kept);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.header("Connection"), "keep-alive");
  }
  ASSERT_EQ(kept.write_all(http_get("/", "", "GET", "HTTP/1.0")), IoStatus::ok);
  EXPECT_EQ(read_reply(kept).header("Connection"), "close");
  EXPECT_EQ(kept.wait_closed(kWait), IoStatus::closed);
}

// ---- slowloris ----

// A client sends a head a byte at a time, 100 ms apart, so it cannot
// complete within header_timeout (1s): it gets 408 and end of file. Between
// its bytes another client is served, before and after the cut-off.
TEST_P(Http, SlowHeadGets408WhileOthersAreServed) {
  using std::chrono::milliseconds;
  auto spec = listener();
  spec.header_timeout = "1s";
  Daemon daemon(make_http_config({spec}));
  const auto port = daemon.port_of("web");
  auto normal = Client::connect(port);
  auto slow = Client::connect(port);
  const std::string head =
      "GET /slowly HTTP/1.1\r\nHost: localhost\r\nUser-Agent: one byte at a time\r\n"
      "Accept: */*\r\nX-Padding: never finished";

  const auto first_byte = Clock::now();
  const Deadline deadline(kWait);
  int served = 0;
  bool answered = false;
  for (std::size_t i = 0; !answered; ++i) {
    ASSERT_FALSE(deadline.expired()) << "no 408 after " << i << " bytes";
    if (i < head.size()) {
      ASSERT_EQ(slow.write_all(head.substr(i, 1)), IoStatus::ok) << "byte " << i;
    }
    ASSERT_EQ(normal.write_all(http_get("/")), IoStatus::ok);
    ASSERT_EQ(read_reply(normal).status, 200) << "after " << served << " responses";
    ++served;
    const IoStatus status = slow.wait_closed(milliseconds{100});  // the pause
    ASSERT_NE(status, IoStatus::closed) << "closed without an answer";
    ASSERT_NE(status, IoStatus::error) << "errno " << slow.last_error();
    answered = status == IoStatus::ok;
  }
  const auto elapsed = Clock::now() - first_byte;
  const auto reply = read_reply(slow);
  EXPECT_TRUE(reply.status_line.starts_with("HTTP/1.1 408 ")) << reply.status_line;
  EXPECT_TRUE(reply.closes());
  EXPECT_EQ(slow.wait_closed(kWait), IoStatus::closed);
  EXPECT_GE(elapsed, milliseconds{900}) << "408 before header_timeout";
  EXPECT_GE(served, 2) << "the other client was not served meanwhile";
  ASSERT_EQ(normal.write_all(http_get("/")), IoStatus::ok);
  EXPECT_EQ(read_reply(normal).status, 200);
}

// ---- a large file ----

// The SHA-256 of `size` zero bytes (what a sparse file holds), computed
// once per size.
std::string zeros_digest(std::uint64_t size) {
  static std::map<std::uint64_t, std::string> known;
  if (const auto found = known.find(size); found != known.end()) return found->second;
  const std::string zeros(1 << 20, '\0');
  Sha256 hash;
  for (std::uint64_t left = size; left > 0;) {
    const auto take = std::min<std::uint64_t>(left, zeros.size());
    hash.update(std::string_view(zeros).substr(0, take));
    left -= take;
  }
  return known[size] = hash.hex_digest();
}

// 1 GiB (about a second each over loopback, several under sanitizers) on
// three models that cover a reactor thread, a thread and a process per
// connection; 64 MiB on the rest (the same code path, fewer bytes).
std::uint64_t sparse_size(const ModelCase& http_case) {
  const bool full =
      http_case.workers == 0 &&
      (http_case.model == "epoll" || http_case.model == "fork" || http_case.model == "thread");
  return full ? std::uint64_t{1} << 30 : std::uint64_t{64} << 20;
}

TEST_P(Http, SparseFileStreamsWithMatchingHashAndFlatMemory) {
  const std::uint64_t size = sparse_size(GetParam());
  TempDir root;
  put_file(root, "small.txt", "small\n");
  {
    UniqueFd file(::open(root.file("big.bin").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    ASSERT_TRUE(file.valid());
    ASSERT_EQ(::ftruncate(file.get(), static_cast<off_t>(size)), 0);
  }
  Daemon daemon(make_http_config({site(root)}));
  auto client = Client::connect(daemon.port_of("web"));
  // The connection is being served (under fork: its process exists) before
  // the baseline is taken.
  ASSERT_EQ(client.write_all(http_get("/small.txt")), IoStatus::ok);
  ASSERT_EQ(read_reply(client).body, "small\n");
  const long baseline = tree_rss_kib(daemon.pid());

  ASSERT_EQ(client.write_all(http_get("/big.bin")), IoStatus::ok);
  const Deadline deadline(2 * kLongWait);
  std::string line;
  std::uint64_t length = 0;
  while ((line = client.read_line(deadline.remaining())) != "\r\n") {
    ASSERT_EQ(client.last_status(), IoStatus::ok) << "in the head";
    if (line.starts_with("Content-Length: ")) length = std::stoull(line.substr(16));
    if (line.starts_with("HTTP/")) {
      ASSERT_EQ(line, "HTTP/1.1 200 OK\r\n");
    }
  }
  ASSERT_EQ(length, size);

  Sha256 hash;
  std::uint64_t received = 0;
  std::uint64_t next_sample = 0;
  long peak = baseline;
  std::string chunk;
  while (received < size) {
    chunk.clear();
    ASSERT_EQ(client.read_available(chunk, deadline.remaining()), IoStatus::ok)
        << "after " << received << " bytes";
    ASSERT_LE(chunk.size(), size - received) << "more than Content-Length";
    hash.update(chunk);
    received += chunk.size();
    if (received >= next_sample) {
      peak = std::max(peak, tree_rss_kib(daemon.pid()));
      next_sample += 16 << 20;
    }
  }
  EXPECT_EQ(hash.hex_digest(), zeros_digest(size));
  std::cout << "[ info     ] " << (size >> 20) << " MiB served; RSS " << baseline << " KiB, peak "
            << peak << " KiB (daemon and descendants)\n";
  EXPECT_LT(peak, baseline + 64 * 1024) << "the daemon's memory grew with the file";
  // The connection goes on.
  ASSERT_EQ(client.write_all(http_get("/small.txt")), IoStatus::ok);
  EXPECT_EQ(read_reply(client).body, "small\n");
}

// ---- limits, addresses, the access log ----

TEST_P(Http, ClientBeyondMaxConnectionsGets503) {
  auto spec = listener();
  spec.max_connections = "2";
  Daemon daemon(make_http_config({spec}));
  const auto port = daemon.port_of("web");
  std::optional<Client> first = Client::connect(port);
  auto second = Client::connect(port);
  for (auto* client : {&*first, &second}) {
    ASSERT_EQ(client->write_all(http_get("/")), IoStatus::ok);
    ASSERT_EQ(read_reply(*client).status, 200);
  }
  auto third = Client::connect(port);
  const auto refused = read_reply(third);
  ASSERT_EQ(refused.io, IoStatus::ok);
  EXPECT_EQ(refused.status_line, "HTTP/1.1 503 Service Unavailable");
  EXPECT_TRUE(refused.closes());
  EXPECT_EQ(refused.body, "503 Service Unavailable: server is full\n");
  EXPECT_EQ(third.wait_closed(kWait), IoStatus::closed);

  // A place frees up when a client leaves; the next client is served (the
  // daemon notices the end of file on its own time: try until then).
  first->shutdown_write();
  EXPECT_EQ(first->wait_closed(kWait), IoStatus::closed);
  first.reset();
  const Deadline deadline(kWait);
  int status = 0;
  while (status != 200 && !deadline.expired()) {
    auto next = Client::connect(port);
    ASSERT_EQ(next.write_all(http_get("/")), IoStatus::ok);
    status = read_reply(next).status;
    ASSERT_TRUE(status == 200 || status == 503) << status;
  }
  EXPECT_EQ(status, 200);
}

TEST_P(Http, ServesOverIpv6) {
  if (!has_ipv6_loopback()) GTEST_SKIP() << "no ::1 on this machine";
  auto spec = listener();
  spec.listen = "[::1]:0";
  Daemon daemon(make_http_config({spec}));
  const auto port = daemon.port_of("web");
  auto client = Client::connect(port, {.host = "::1"});
  ASSERT_EQ(client.write_all(http_get("/")), IoStatus::ok);
  EXPECT_EQ(read_reply(client).body, "Hello from Epoll Server!\n");
  if (!curl_program()) return;
  const auto run = run_curl({"--globoff", "http://[::1]:" + std::to_string(port) + "/"});
  EXPECT_EQ(run.exit_status, 0) << run.err;
  EXPECT_EQ(run.out, "Hello from Epoll Server!\n");
}

TEST_P(Http, AccessLogHasALinePerRequest) {
  TempDir root;
  put_file(root, "public.txt", "public\n");
  auto spec = site(root);
  spec.access_log = "true";
  Daemon daemon(make_http_config({spec}));
  const auto port = daemon.port_of("web");
  const auto mark = daemon.log_mark();
  auto client = Client::connect(port);
  ASSERT_EQ(client.write_all(http_get("/public.txt") + http_get("/missing", "", "HEAD") +
                             "GET / HTTP/9.9\r\n\r\n"),
            IoStatus::ok);
  EXPECT_EQ(read_reply(client).status, 200);
  EXPECT_EQ(read_reply(client, kWait, true).status, 404);
  EXPECT_EQ(read_reply(client).status, 505);
  EXPECT_EQ(client.wait_closed(kWait), IoStatus::closed);
  // Written when the response is made; a few seconds are plenty.
  const Timeout wait{5000};
  const std::string peer = regex_escape(client.local_address());
  // Bytes are each whole response's, head and body; then the duration,
  // Referer and User-Agent ("-": none sent).
  const std::string tail = R"( \d+ [0-9]+\.[0-9]{3}m?s "-" "-")";
  EXPECT_NO_THROW(
      daemon.wait_for_line(peer + R"( "GET /public\.txt HTTP/1\.1" 200)" + tail + "$", wait, mark));
  EXPECT_NO_THROW(
      daemon.wait_for_line(peer + R"( "HEAD /missing HTTP/1\.1" 404)" + tail + "$", wait, mark));
  // Errors name the request line they parsed: 505 for its version, 405
  // for its method.
  EXPECT_NO_THROW(
      daemon.wait_for_line(peer + R"( "GET / HTTP/9\.9" 505)" + tail + R"( \(HTTP version)", wait, mark));
  auto other = Client::connect(port);
  ASSERT_EQ(other.write_all(http_get("/gone?x=1", "", "DELETE")), IoStatus::ok);
  EXPECT_EQ(read_reply(other).status, 405);
  EXPECT_NO_THROW(daemon.wait_for_line(
      regex_escape(other.local_address()) + R"( "DELETE /gone\?x=1 HTTP/1\.1" 405)" + tail +
          R"( \(method)",
      wait, mark));
}

INSTANTIATE_TEST_SUITE_P(Models, Http, ::testing::ValuesIn(model_cases()), model_case_name);

// A relative root is taken from the configuration file's folder (here the
// daemon's temporary directory, next to ours), not the working directory.
TEST(HttpRoot, RelativeRootIsTheConfigFilesFolders) {
  TempDir root;
  put_file(root, "index.html", "<p>relative</p>\n");
  HttpListener spec{.name = "web"};
  spec.root = "../" + std::filesystem::path(root.path()).filename().string();
  Daemon daemon(make_http_config({spec}));
  auto client = Client::connect(daemon.port_of("web"));
  ASSERT_EQ(client.write_all(http_get("/")), IoStatus::ok);
  const auto reply = read_reply(client);
  EXPECT_EQ(reply.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(reply.body, "<p>relative</p>\n");
}

// ---- a real browser ----

// A page whose script, once everything has loaded, puts in the title
// whether the image decoded and the stylesheet applied.
constexpr std::string_view kPage = R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>loading</title>
<link rel="stylesheet" href="style.css"></head>
<body><div id="box">box</div><img src="img/pixel.png" alt="pixel">
<p id="result">pending</p>
<script>
window.addEventListener('load', function () {
  var image = document.images[0];
  var width = getComputedStyle(document.getElementById('box')).width;
  var ok = image.complete && image.naturalWidth === 3 && image.naturalHeight === 2 &&
           width === '123px';
  document.getElementById('result').textContent =
      'image ' + image.naturalWidth + 'x' + image.naturalHeight + ', box ' + width;
  document.title = ok ? 'all loaded' : 'broken';
});
</script></body></html>
)";

TEST(HttpBrowser, ChromiumLoadsAPageWithItsStylesheetAndImage) {
  const auto chromium = find_program("chromium");
  if (!chromium) GTEST_SKIP() << "chromium is not installed";
  TempDir root;
  put_file(root, "index.html", kPage);
  put_file(root, "style.css", "#box { width: 123px; }\n");
  put_file(root, "img/pixel.png", tiny_png(3, 2, 0xd0, 0x40, 0x20));
  HttpListener spec{.name = "web", .model = "epoll"};
  spec.root = root.path();
  spec.access_log = "true";
  Daemon daemon(make_http_config({spec}));
  const auto port = daemon.port_of("web");
  const auto mark = daemon.log_mark();

  TempDir profile;
  const auto run = run_to_completion(
      {*chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-proxy-server",
       "--no-first-run", "--disable-extensions", "--disable-background-networking",
       "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
       "--user-data-dir=" + profile.path(), "--dump-dom", url(port)},
      kLongWait);
  ASSERT_TRUE(run.exit_status) << "chromium did not finish in time";
  ASSERT_EQ(*run.exit_status, 0) << run.err;
  EXPECT_NE(run.out.find("<title>all loaded</title>"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("image 3x2, box 123px"), std::string::npos) << run.out;

  // Each resource was served once, with 200.
  for (const std::string path : {"/", "/style\\.css", "/img/pixel\\.png"}) {
    EXPECT_NO_THROW(
        daemon.wait_for_line(R"( "GET )" + path + R"( HTTP/1\.1" 200 )", Timeout{5000}, mark));
  }
}

}  // namespace
}  // namespace netcook::test
