// Static files: the target-to-path mapping (percent-decoding, dot segments,
// never above the root), and the file site through a real session over a
// temporary tree, its bodies read out of the Outbox through a socket pair.
// The tree holds a secret next to the root and symlinks pointing at it; no
// byte of it may ever come out. Errors (403 for a directory without an
// index, 404, 416) follow the request's Accept. Also the Date formats and
// the media types.

#include "http_response.hpp"
#include "proto/http/date.hpp"
#include "proto/http/http.hpp"
#include "proto/http/mime.hpp"
#include "proto/http/path.hpp"

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <gtest/gtest.h>

namespace netcook::proto::http {
namespace {

using test::Response;
using test::take_response;

// --- to_local_path ---

struct PathCase {
  std::string_view target;
  int status;
  std::string_view relative;  // when status is 0
  bool directory;
};

TEST(HttpPath, Table) {
  const std::vector<PathCase> cases = {
      {"/", 0, ".", true},
      {"/a", 0, "a", false},
      {"/a/", 0, "a", true},
      {"/a/b.html", 0, "a/b.html", false},
      {"//a", 0, "a", false},
      {"/a//b", 0, "a/b", false},
      {"/a/./b", 0, "a/b", false},
      {"/a/.", 0, "a", true},
      {"/a/b/../c", 0, "a/c", false},
      {"/a/b/..", 0, "a", true},
      {"/..", 0, ".", true},
      {"/../", 0, ".", true},
      {"/../a", 0, "a", false},
      {"/a/..", 0, ".", true},
      {"/a/../..", 0, ".", true},
      {"/a/../../b", 0, "b", false},
      {"/../../../etc/passwd", 0, "etc/passwd", false},
      {"/...", 0, "...", false},
      {"/..a/a..", 0, "..a/a..", false},
      // percent-encoded dots are dots
      {"/%2e%2e/secret", 0, "secret", false},
      {"/%2E%2e/secret", 0, "secret", false},
      {"/.%2e/secret", 0, "secret", false},
      {"/%2e./secret", 0, "secret", false},
      {"/a/%2e", 0, "a", true},
      {"/a/b/%2e%2e/%2e%2e/%2e%2e/c", 0, "c", false},
      // decoded once only: a double-encoded dot is a name
      {"/%252e%252e/secret", 0, "%2e%2e/secret", false},
      {"/%25", 0, "%", false},
      {"/a%20b.txt", 0, "a b.txt", false},
      {"/%41%42", 0, "AB", false},
      {"/caf%C3%A9", 0, "caf\xc3\xa9", false},
      {"/a%3fb", 0, "a?b", false},
      // refused
      {"/a%00b", 400, "", false},
      {"/%00", 400, "", false},
      {"/a%2fb", 400, "", false},
      {"/a%2Fb", 400, "", false},
      {"/%2f..%2f..%2fetc", 400, "", false},
      {"/%2e%2e%2f%2e%2e%2fsecret", 400, "", false},
      {"/%", 400, "", false},
      {"/%4", 400, "", false},
      {"/a%zzb", 400, "", false},
      {"/%g1", 400, "", false},
      {"*", 400, "", false},
      {"a/b", 400, "", false},
      {"", 400, "", false},
      // queries and fragments are not part of the path
      {"/a?x=1", 0, "a", false},
      {"/a?x=/../../etc/passwd", 0, "a", false},
      {"/a?%00", 0, "a", false},
      {"/a/?q", 0, "a", true},
      {"/?", 0, ".", true},
      {"/a#frag", 0, "a", false},
      // absolute form
      {"http://host/a/b?c", 0, "a/b", false},
      {"http://host", 0, ".", true},
      {"http://host/", 0, ".", true},
      {"https://host:8080/../x", 0, "x", false},
      {"http://host/%2e%2e/x", 0, "x", false},
      {"http://host/a%2fb", 400, "", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    const LocalPath path = to_local_path(c.target);
    EXPECT_EQ(path.status, c.status);
    if (c.status != 0) {
      EXPECT_FALSE(path.reason.empty());
      continue;
    }
    EXPECT_EQ(path.relative, c.relative);
    EXPECT_EQ(path.directory, c.directory);
  }
}

TEST(HttpPath, PathAndQueryAsSent) {
  LocalPath path = to_local_path("/a/../b?x=1&y=%20");
  EXPECT_EQ(path.path, "/a/../b");
  EXPECT_EQ(path.query, "x=1&y=%20");
  path = to_local_path("/sub");
  EXPECT_EQ(path.path, "/sub");
  EXPECT_EQ(path.query, "");
  path = to_local_path("http://h/sub?q");
  EXPECT_EQ(path.path, "/sub");
  EXPECT_EQ(path.query, "q");
}

TEST(HttpPath, RefusalReasons) {
  EXPECT_EQ(to_local_path("/a%00").reason, "NUL in the path");
  EXPECT_EQ(to_local_path("/a%2f").reason, "encoded '/' in a path segment");
}

// ".." (plain or encoded) at every position of every short path: the
// result is always a clean path below the root.
TEST(HttpPath, DotDotInEveryPositionStaysBelowTheRoot) {
  const std::vector<std::string> pieces = {"a",    "b",    "..", ".",  "%2e%2e",
                                           "%2E.", ".%2e", "",   "%2e"};
  std::vector<std::string> targets = {""};
  for (int depth = 0; depth < 4; ++depth) {
    std::vector<std::string> longer;
    for (const auto& target : targets)
      for (const auto& piece : pieces) longer.push_back(target + "/" + piece);
    targets.insert(targets.end(), longer.begin(), longer.end());
    if (depth == 3) break;
  }
  std::size_t checked = 0;
  for (const auto& target : targets) {
    if (target.empty()) continue;
    const LocalPath path = to_local_path(target);
    ASSERT_EQ(path.status, 0) << target;
    ASSERT_FALSE(path.relative.empty()) << target;
    if (path.relative == ".") continue;
    std::string_view rest = path.relative;
    while (true) {
      const auto slash = rest.find('/');
      const auto segment = rest.substr(0, slash);
      ASSERT_TRUE(segment == "a" || segment == "b") << target << " -> " << path.relative;
      if (slash == std::string_view::npos) break;
      rest.remove_prefix(slash + 1);
    }
    ++checked;
  }
  EXPECT_GT(checked, 1000U);
  // A few exactly.
  EXPECT_EQ(to_local_path("/a/../../b/%2e%2e/a").relative, "a");
  EXPECT_EQ(to_local_path("/%2e%2e/a/b/.%2e").relative, "a");
  EXPECT_EQ(to_local_path("/a/b/../../..").relative, ".");
}

// --- dates ---

constexpr std::time_t kSunday = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(format_date(kSunday), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_date(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(format_date(2147483647), "Tue, 19 Jan 2038 03:14:07 GMT");
  EXPECT_EQ(format_date(4102444799), "Thu, 31 Dec 2099 23:59:59 GMT");
}

TEST(HttpDate, CurrentDateIsNow) {
  const std::string now(current_date());
  std::time_t parsed = 0;
  ASSERT_TRUE(parse_date(now, parsed)) << now;
  EXPECT_LE(std::abs(parsed - std::time(nullptr)), 2);
}

TEST(HttpDate, ParsesTheThreeFormats) {
  const std::vector<std::pair<std::string_view, std::time_t>> good = {
      {"Sun, 06 Nov 1994 08:49:37 GMT", kSunday},      {"Sunday, 06-Nov-94 08:49:37 GMT", kSunday},
      {"Sun Nov  6 08:49:37 1994", kSunday},           {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
      {"Saturday, 01-Jan-00 00:00:00 GMT", 946684800},  // two-digit year 00 is 2000
      {"Thursday, 01-Jan-70 00:00:00 GMT", 0},         {"Tue Feb 29 00:00:00 2000", 951782400},
      {"Tue, 19 Jan 2038 03:14:07 GMT", 2147483647},
  };
  for (const auto& [text, expected] : good) {
    std::time_t when = -5;
    EXPECT_TRUE(parse_date(text, when)) << text;
    EXPECT_EQ(when, expected) << text;
  }
}

TEST(HttpDate, RefusesGarbage) {
  const std::vector<std::string_view> bad = {
      "",
      "yesterday",
      "784111777",
      "Sun, 06 Nov 1994 08:49:37 UTC",
      "Sun, 06 Nov 1994 08:49:37",
      "Sun, 6 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 94 08:49:37 GMT",
      "Sun, 06 Foo 1994 08:49:37 GMT",
      "Sun, 32 Nov 1994 08:49:37 GMT",
      "Sun, 00 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 24:49:37 GMT",
      "Sun, 06 Nov 1994 08:60:37 GMT",
      "Sun, 06 Nov 1994 08:49:37 GMTX",
      "Sun, 06 Nov 1994 08-49-37 GMT",
      "Sunday, 06-Nov-1994 08:49:37 GMT",
      "Sunday, 06-Nov-94 08:49:37",
      "Sun Nov 6 08:49:37 1994",
      "Sun Nov  6 08:49:37 94",
      "Sun Nov  6 08:49:37 1994 ",
      "Sun Nov  6 08:49:37 1994x",
      "Sun, 06 Nov 1994 08:49:37 GMT; length=12",
  };
  for (const auto text : bad) {
    std::time_t when = 0;
    EXPECT_FALSE(parse_date(text, when)) << text;
  }
}

TEST(HttpDate, FormatThenParseRoundTrips) {
  for (std::time_t when :
       {std::time_t{0}, std::time_t{1}, kSunday, std::time_t{951782400}, std::time_t{1700000000},
        std::time_t{2147483647}, std::time_t{4102444799}}) {
    std::time_t parsed = -1;
    ASSERT_TRUE(parse_date(format_date(when), parsed)) << when;
    EXPECT_EQ(parsed, when);
  }
}

// --- media types ---

TEST(HttpMime, KnownExtensions) {
  const std::vector<std::pair<std::string_view, std::string_view>> types = {
      {"index.html", "text/html; charset=utf-8"},
      {"a.htm", "text/html; charset=utf-8"},
      {"a.css", "text/css; charset=utf-8"},
      {"a.js", "text/javascript; charset=utf-8"},
      {"a.mjs", "text/javascript; charset=utf-8"},
      {"a.json", "application/json"},
      {"a.txt", "text/plain; charset=utf-8"},
      {"a.md", "text/markdown; charset=utf-8"},
      {"a.csv", "text/csv; charset=utf-8"},
      {"a.xml", "application/xml"},
      {"a.rss", "application/rss+xml"},
      {"a.atom", "application/atom+xml"},
      {"a.xhtml", "application/xhtml+xml"},
      {"a.wasm", "application/wasm"},
      {"a.pdf", "application/pdf"},
      {"a.zip", "application/zip"},
      {"a.gz", "application/gzip"},
      {"a.tar", "application/x-tar"},
      {"a.bz2", "application/x-bzip2"},
      {"a.xz", "application/x-xz"},
      {"a.zst", "application/zstd"},
      {"a.7z", "application/x-7z-compressed"},
      {"a.png", "image/png"},
      {"a.jpg", "image/jpeg"},
      {"a.jpeg", "image/jpeg"},
      {"a.gif", "image/gif"},
      {"a.webp", "image/webp"},
      {"a.avif", "image/avif"},
      {"a.svg", "image/svg+xml"},
      {"a.ico", "image/vnd.microsoft.icon"},
      {"a.bmp", "image/bmp"},
      {"a.tiff", "image/tiff"},
      {"a.woff", "font/woff"},
      {"a.woff2", "font/woff2"},
      {"a.ttf", "font/ttf"},
      {"a.otf", "font/otf"},
      {"a.mp3", "audio/mpeg"},
      {"a.ogg", "audio/ogg"},
      {"a.wav", "audio/wav"},
      {"a.flac", "audio/flac"},
      {"a.mp4", "video/mp4"},
      {"a.webm", "video/webm"},
      {"a.mov", "video/quicktime"},
      {"a.yaml", "application/yaml"},
      {"a.yml", "application/yaml"},
      {"a.webmanifest", "application/manifest+json"},
      {"a.tar.gz", "application/gzip"},
      {"dir/sub/page.html", "text/html; charset=utf-8"},
  };
  EXPECT_GE(types.size(), 40U);
  for (const auto& [name, type] : types) EXPECT_EQ(media_type(name), type) << name;
}

TEST(HttpMime, CaseInsensitive) {
  EXPECT_EQ(media_type("PHOTO.JPG"), "image/jpeg");
  EXPECT_EQ(media_type("Index.HtMl"), "text/html; charset=utf-8");
  EXPECT_EQ(media_type("a.Css"), "text/css; charset=utf-8");
}

TEST(HttpMime, UnknownIsOctetStream) {
  for (std::string_view name : {"README", ".bashrc", ".html", "a.", "a.unknownext", "dir.d/file",
                                "a.html.bak", "a.h tml", "", "dir/.hidden"})
    EXPECT_EQ(media_type(name), "application/octet-stream") << name;
}

// --- the file site ---

constexpr std::string_view kDate = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr std::time_t kMtime = 1000000000;  // Sun, 09 Sep 2001 01:46:40 GMT
constexpr std::string_view kModified = "Sun, 09 Sep 2001 01:46:40 GMT";
constexpr std::string_view kSecret = "TOP-SECRET-7f3a9c";
constexpr std::string_view kHello = "Hello, files!\n";

std::string_view fixed_date() noexcept {
  return kDate;
}

void write_file(const std::string& path, std::string_view contents, std::time_t mtime = kMtime) {
  std::ofstream(path, std::ios::binary) << contents;
  const timespec times[2] = {{mtime, 0}, {mtime, 0}};
  if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0)
    throw std::system_error(errno, std::generic_category(), "utimensat " + path);
}

std::string all_bytes() {
  std::string bytes(256, '\0');
  for (int i = 0; i < 256; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>(i);
  return bytes;
}

// A temporary tree, made once for all tests:
//   base/secret.txt            outside the root
//   base/root/                 the root, with index.html
//     hello.txt data.bin empty.txt page.HTML noext .hidden "a b.txt"
//     sub/index.html sub/style.css   noindex/a.txt
//     link-in -> hello.txt            link-out -> ../secret.txt
//     link-abs -> base/secret.txt     link-up -> ..
//     link-noindex -> noindex         index-dir/index.html/ (a directory)
//     trap/index.html -> ../../secret.txt
//     dangling/index.html -> ../../no-such.txt
//     locked.txt (mode 000)           fifo
class HttpFiles : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    std::string base_template = "/tmp/netcook-http-XXXXXX";
    ASSERT_NE(::mkdtemp(base_template.data()), nullptr);
    base_ = base_template;
    root_ = base_ + "/root";
    write_file(base_ + "/secret.txt", kSecret);
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root_ + "/sub").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root_ + "/noindex").c_str(), 0755), 0);
    write_file(root_ + "/index.html", "<h1>root</h1>\n");
    write_file(root_ + "/hello.txt", kHello);
    write_file(root_ + "/data.bin", all_bytes());
    write_file(root_ + "/empty.txt", "");
    write_file(root_ + "/page.HTML", "<p>upper</p>");
    write_file(root_ + "/noext", "no extension");
    write_file(root_ + "/.hidden", "dot");
    write_file(root_ + "/a b.txt", "spaced");
    write_file(root_ + "/other.txt", "Hello, files?\n", kMtime + 1);  // same size, other mtime
    write_file(root_ + "/sub/index.html", "<h1>sub</h1>\n");
    write_file(root_ + "/sub/style.css", "body{}");
    write_file(root_ + "/noindex/a.txt", "a");
    write_file(root_ + "/locked.txt", "locked");
    ASSERT_EQ(::chmod((root_ + "/locked.txt").c_str(), 0), 0);
    ASSERT_EQ(::symlink("hello.txt", (root_ + "/link-in").c_str()), 0);
    ASSERT_EQ(::symlink("../secret.txt", (root_ + "/link-out").c_str()), 0);
    ASSERT_EQ(::symlink((base_ + "/secret.txt").c_str(), (root_ + "/link-abs").c_str()), 0);
    ASSERT_EQ(::symlink("..", (root_ + "/link-up").c_str()), 0);
    ASSERT_EQ(::symlink("noindex", (root_ + "/link-noindex").c_str()), 0);
    ASSERT_EQ(::mkdir((root_ + "/index-dir").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root_ + "/index-dir/index.html").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root_ + "/trap").c_str(), 0755), 0);
    ASSERT_EQ(::symlink("../../secret.txt", (root_ + "/trap/index.html").c_str()), 0);
    ASSERT_EQ(::mkdir((root_ + "/dangling").c_str(), 0755), 0);
    ASSERT_EQ(::symlink("../../no-such.txt", (root_ + "/dangling/index.html").c_str()), 0);
    ASSERT_EQ(::mkfifo((root_ + "/fifo").c_str(), 0644), 0);
  }

  static void TearDownTestSuite() {
    std::error_code ignored;
    if (!base_.empty()) std::filesystem::remove_all(base_, ignored);
  }

 protected:
  static HttpSettings settings() {
    HttpSettings settings;
    settings.root = root_;
    settings.date = fixed_date;
    settings.max_body = 64;
    return settings;
  }

  // Sends `input` on a new connection and reads everything its Outbox
  // holds, file ranges included, through a socket pair.
  static std::string exchange(std::string_view input, std::vector<std::size_t> cuts = {}) {
    auto session = make_http_session(make_site(settings()), SessionContext{});
    Outbox out;
    std::size_t start = 0;
    cuts.push_back(input.size());
    for (std::size_t end : cuts) {
      if (end <= start) continue;
      session->receive(input.substr(start, end - start), out);
      start = end;
    }
    return drain(out);
  }

  // Everything `out` holds, file ranges read from their files: what a
  // driver would write to the socket.
  static std::string drain(Outbox& out) {
    std::string received;
    while (!out.empty()) {
      if (const auto file = out.next_file()) {
        std::string chunk(file->length, '\0');
        const ssize_t got = ::pread(file->file.get(), chunk.data(), chunk.size(), file->offset);
        EXPECT_EQ(got, static_cast<ssize_t>(chunk.size())) << "a file range beyond its file";
        if (got <= 0) break;
        received.append(chunk, 0, static_cast<std::size_t>(got));
        out.consume_file(static_cast<std::size_t>(got));
      } else {
        received.append(out.pending());
        out.consume(out.pending().size());
      }
    }
    return received;
  }

  static std::string get(std::string_view target, std::string_view extra_headers = {},
                         std::string_view method = "GET") {
    return exchange(
        fmt::format("{} {} HTTP/1.1\r\nHost: a\r\n{}\r\n", method, target, extra_headers));
  }

  static std::string base_, root_;
};

std::string HttpFiles::base_;
std::string HttpFiles::root_;

// The only response in `answer`.
Response only_response(std::string_view answer, bool head_only = false) {
  const Response response = take_response(answer, head_only);
  EXPECT_EQ(answer, "") << "more than one response, or a body where none belongs";
  return response;
}

// What every file-site response carries.
void expect_common(const Response& response) {
  EXPECT_EQ(response.header("Date"), kDate);
  EXPECT_EQ(response.header("Server"), "netcookd/" NETCOOKD_VERSION);
  EXPECT_EQ(response.count("Date"), 1U);
  EXPECT_EQ(response.count("Server"), 1U);
  if (!response.status_line.starts_with("HTTP/1.1 304")) {
    EXPECT_EQ(response.count("Content-Type"), 1U) << response.status_line;
    EXPECT_EQ(response.count("Content-Length"), 1U) << response.status_line;
  }
}

bool is_strong_tag(std::string_view tag) {
  return tag.size() >= 3 && tag.front() == '"' && tag.back() == '"' &&
         tag.substr(1, tag.size() - 2).find('"') == std::string_view::npos;
}

TEST_F(HttpFiles, ServesAFile) {
  const Response response = only_response(get("/hello.txt"));
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  expect_common(response);
  EXPECT_EQ(response.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(response.header("Content-Length"), std::to_string(kHello.size()));
  EXPECT_EQ(response.header("Last-Modified"), kModified);
  EXPECT_TRUE(is_strong_tag(response.header("ETag"))) << response.header("ETag");
  EXPECT_EQ(response.header("Accept-Ranges"), "bytes");
  EXPECT_EQ(response.count("Connection"), 0U);
  EXPECT_EQ(response.body, kHello);
}

// The access log's bytes are the whole response as queued: its head and
// the file range a driver sends with sendfile(2).
TEST_F(HttpFiles, AccessLogCountsTheFileRange) {
  std::ostringstream text;
  spdlog::logger logger("access", std::make_shared<spdlog::sinks::ostream_sink_st>(text));
  logger.set_pattern("%v");
  HttpSettings with_log = settings();
  with_log.access_log = true;
  SessionContext context;
  context.peer = "192.0.2.1:5";
  context.log = &logger;
  auto session = make_http_session(make_site(with_log), context);
  Outbox out;
  session->receive("GET /data.bin HTTP/1.1\r\nHost: a\r\n\r\n", out);
  EXPECT_LT(out.size(), all_bytes().size()) << "the body is not a file range";
  const std::string answer = drain(out);
  ASSERT_TRUE(answer.ends_with(all_bytes()));
  EXPECT_TRUE(text.str().starts_with(
      fmt::format("192.0.2.1:5 \"GET /data.bin HTTP/1.1\" 200 {} ", answer.size())))
      << text.str();
}

TEST_F(HttpFiles, ServesEveryByteOfABinaryFile) {
  const Response response = only_response(get("/data.bin"));
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(response.header("Content-Length"), "256");
  EXPECT_EQ(response.body, all_bytes());
}

TEST_F(HttpFiles, ContentTypes) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"/page.HTML", "text/html; charset=utf-8"},
      {"/noext", "application/octet-stream"},
      {"/.hidden", "application/octet-stream"},
      {"/sub/style.css", "text/css; charset=utf-8"},
      {"/a%20b.txt", "text/plain; charset=utf-8"},
      {"/link-in", "application/octet-stream"},  // by the name asked for
  };
  for (const auto& [target, type] : cases) {
    const Response response = only_response(get(target));
    EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK") << target;
    EXPECT_EQ(response.header("Content-Type"), type) << target;
  }
  EXPECT_EQ(only_response(get("/a%20b.txt")).body, "spaced");
  EXPECT_EQ(only_response(get("/link-in")).body, kHello);
}

TEST_F(HttpFiles, EmptyFile) {
  const Response response = only_response(get("/empty.txt"));
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.header("Content-Length"), "0");
  EXPECT_EQ(response.body, "");
}

TEST_F(HttpFiles, EntityTagsFollowSizeAndTime) {
  const std::string hello = only_response(get("/hello.txt")).header("ETag");
  EXPECT_EQ(only_response(get("/hello.txt")).header("ETag"), hello);
  EXPECT_EQ(only_response(get("/link-in")).header("ETag"), hello);    // the same file
  EXPECT_NE(only_response(get("/other.txt")).header("ETag"), hello);  // same size, later
  EXPECT_NE(only_response(get("/noext")).header("ETag"), hello);      // other size
  EXPECT_FALSE(hello.starts_with("W/"));
}

TEST_F(HttpFiles, HeadHasTheHeadersOfGet) {
  for (std::string_view target : {"/hello.txt", "/data.bin", "/empty.txt", "/sub/", "/", "/sub",
                                  "/nope", "/noindex/", "/a%00"}) {
    for (std::string_view extra : {"", "Range: bytes=1-3\r\n", "Range: bytes=900-\r\n"}) {
      SCOPED_TRACE(std::string(target) + " " + std::string(extra));
      const Response got = only_response(get(target, extra));
      const Response head = only_response(get(target, extra, "HEAD"), true);
      EXPECT_EQ(head.status_line, got.status_line);
      EXPECT_EQ(head.head, got.head);
      EXPECT_EQ(head.body, "");
    }
  }
}

TEST_F(HttpFiles, DirectoryWithoutSlashIsRedirected) {
  Response response = only_response(get("/sub"));
  EXPECT_EQ(response.status_line, "HTTP/1.1 301 Moved Permanently");
  expect_common(response);
  EXPECT_EQ(response.header("Location"), "/sub/");
  EXPECT_EQ(only_response(get("/sub?x=1&y=%20")).header("Location"), "/sub/?x=1&y=%20");
  EXPECT_EQ(only_response(get("/noindex")).header("Location"), "/noindex/");
  response = only_response(get("/sub", {}, "HEAD"), true);
  EXPECT_EQ(response.status_line, "HTTP/1.1 301 Moved Permanently");
}

// "//sub/" or "/\\sub/" in Location would send a browser to the host "sub".
TEST_F(HttpFiles, RedirectNeverNamesAnotherHost) {
  EXPECT_EQ(only_response(get("//sub")).header("Location"), "/sub/");
  EXPECT_EQ(only_response(get("///sub?x")).header("Location"), "/sub/?x");
  const std::string odd = root_ + "/\\sub";
  ASSERT_EQ(::mkdir(odd.c_str(), 0755), 0);
  Response response = only_response(get("/\\sub"));
  ::rmdir(odd.c_str());
  EXPECT_EQ(response.status_line, "HTTP/1.1 301 Moved Permanently");
  EXPECT_EQ(response.header("Location"), "/%5Csub/");
}

TEST_F(HttpFiles, DirectoryServesItsIndex) {
  Response response = only_response(get("/sub/"));
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(response.body, "<h1>sub</h1>\n");
  response = only_response(get("/"));
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.body, "<h1>root</h1>\n");
  EXPECT_EQ(only_response(get("/sub/?q=1")).body, "<h1>sub</h1>\n");
  EXPECT_EQ(only_response(get("/sub/./")).body, "<h1>sub</h1>\n");
  EXPECT_EQ(only_response(get("http://a/sub/")).body, "<h1>sub</h1>\n");
}

// A directory inside the root without an index file is forbidden, not
// missing, and never listed; the connection stays open.
TEST_F(HttpFiles, DirectoryWithoutIndexIsForbidden) {
  for (std::string_view target : {"/noindex/", "/link-noindex/", "/noindex/./", "/index-dir/"}) {
    SCOPED_TRACE(target);
    const Response response = only_response(get(target));
    EXPECT_EQ(response.status_line, "HTTP/1.1 403 Forbidden");
    expect_common(response);
    EXPECT_EQ(response.body, "403 Forbidden: no index file, and directories are not listed\n");
    EXPECT_EQ(response.count("Connection"), 0U);
    const Response head = only_response(get(target, {}, "HEAD"), true);
    EXPECT_EQ(head.status_line, response.status_line);
    EXPECT_EQ(head.head, response.head);
  }
  EXPECT_EQ(only_response(get("/noindex/a.txt")).body, "a");
  EXPECT_EQ(only_response(get("/noindex")).header("Location"), "/noindex/");
}

TEST_F(HttpFiles, RootWithoutIndexIsForbidden) {
  HttpSettings settings = this->settings();
  settings.index = "no-such-index.html";
  auto session = make_http_session(make_site(settings), SessionContext{});
  Outbox out;
  session->receive(
      "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /sub/ HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n",
      out);
  const std::string answer = drain(out);
  std::string_view stream = answer;
  EXPECT_EQ(take_response(stream).status_line, "HTTP/1.1 403 Forbidden");
  EXPECT_EQ(take_response(stream).status_line, "HTTP/1.1 403 Forbidden");
  EXPECT_EQ(take_response(stream).body, kHello);
  EXPECT_EQ(stream, "");
}

// Directories outside the root stay unknown: 404, whether reached by a
// symlink or through an index that leads out, with or without an index.
TEST_F(HttpFiles, DirectoryOutsideTheRootIsNotFound) {
  for (std::string_view target :
       {"/link-up/", "/link-up", "/link-up/root/", "/trap/", "/dangling/"}) {
    SCOPED_TRACE(target);
    const Response response = only_response(get(target));
    EXPECT_EQ(response.status_line, "HTTP/1.1 404 Not Found");
    expect_common(response);
    EXPECT_EQ(response.body.find("TOP-SECRET"), std::string::npos);
  }
}

TEST_F(HttpFiles, MissingFileIs404AndKeepsTheConnection) {
  const std::string answer = exchange(
      "GET /nope.txt HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string_view stream = answer;
  const Response missing = take_response(stream);
  EXPECT_EQ(missing.status_line, "HTTP/1.1 404 Not Found");
  expect_common(missing);
  EXPECT_EQ(take_response(stream).body, kHello);
  EXPECT_EQ(stream, "");
}

TEST_F(HttpFiles, BadPathIs400) {
  for (std::string_view target : {"/a%00b", "/sub%2findex.html", "/%2e%2e%2fsecret.txt", "/%zz"}) {
    const Response response = only_response(get(target));
    EXPECT_EQ(response.status_line, "HTTP/1.1 400 Bad Request") << target;
    expect_common(response);
  }
}

// A malformed target is a bad request like any other: the connection ends
// after the answer, and a request pipelined behind it is not answered.
TEST_F(HttpFiles, BadPathClosesTheConnection) {
  const std::string answer = exchange(
      "GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string_view stream = answer;
  const Response bad = take_response(stream);
  EXPECT_EQ(bad.status_line, "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(bad.header("Connection"), "close");
  EXPECT_EQ(stream, "");
}

// Errors of the file site follow the request's Accept: an HTML page for a
// browser, plain text otherwise, Vary: Accept either way; the connection
// stays open but after a malformed path. Successes do not vary.
TEST_F(HttpFiles, ErrorPagesFollowTheAccept) {
  const std::string browser =
      "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n";
  struct Case {
    std::string_view target, extra;
    int status;
    std::string_view reason, detail;
  };
  const std::vector<Case> cases = {
      {"/nope", "", 404, "Not Found", "no such file"},
      {"/noindex/", "", 403, "Forbidden", "no index file, and directories are not listed"},
      {"/data.bin", "Range: bytes=300-\r\n", 416, "Range Not Satisfiable",
       "the range holds no byte of the file"},
      {"/a%00b", "", 400, "Bad Request", "NUL in the path"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    const std::string title = fmt::format("{} {}", c.status, c.reason);
    const Response page = only_response(get(c.target, std::string(c.extra) + browser));
    EXPECT_EQ(page.status_line, "HTTP/1.1 " + title);
    expect_common(page);
    EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(page.header("Vary"), "Accept");
    EXPECT_EQ(page.header("Content-Length"), std::to_string(page.body.size()));
    EXPECT_EQ(page.count("Connection"), c.status == 400 ? 1U : 0U);
    EXPECT_TRUE(page.body.starts_with("<!DOCTYPE html>\n")) << page.body;
    EXPECT_NE(page.body.find("<title>" + title + "</title>"), std::string::npos) << page.body;
    EXPECT_NE(page.body.find("<h1>" + title + "</h1>"), std::string::npos) << page.body;
    EXPECT_NE(page.body.find(fmt::format("<p>{}</p>", c.detail)), std::string::npos) << page.body;
    if (c.status == 416) {
      EXPECT_EQ(page.header("Content-Range"), "bytes */256");
    }
    const Response head =
        only_response(get(c.target, std::string(c.extra) + browser, "HEAD"), true);
    EXPECT_EQ(head.status_line, page.status_line);
    EXPECT_EQ(head.head, page.head);

    for (const std::string other : {"", "Accept: */*\r\n", "Accept: text/html;q=0.5, text/*\r\n"}) {
      SCOPED_TRACE(other);
      const Response plain = only_response(get(c.target, std::string(c.extra) + other));
      EXPECT_EQ(plain.status_line, page.status_line);
      EXPECT_EQ(plain.header("Content-Type"), "text/plain; charset=utf-8");
      EXPECT_EQ(plain.header("Vary"), "Accept");
      EXPECT_EQ(plain.body, fmt::format("{}: {}\n", title, c.detail));
    }
  }
  EXPECT_EQ(only_response(get("/hello.txt", browser)).count("Vary"), 0U);
  EXPECT_EQ(only_response(get("/sub", browser)).count("Vary"), 0U);  // a redirect
}

TEST_F(HttpFiles, SchemeOfTheAbsoluteFormIgnoresCase) {
  EXPECT_EQ(only_response(get("HTTP://a/hello.txt")).body, kHello);
}

TEST_F(HttpFiles, NothingOutsideTheRoot) {
  const std::vector<std::string_view> targets = {
      "/../secret.txt",
      "/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/.%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/%252e%252e/secret.txt",
      "/%252e%252e%252fsecret.txt",
      "/%2e%2e%2fsecret.txt",
      "/sub/../../secret.txt",
      "/sub/%2e%2e/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/link-out",
      "/link-abs",
      "/link-up/secret.txt",
      "/link-up/root/hello.txt",
      "/link-up/",
      "/link-up",
      "http://a/../secret.txt",
      "http://a/%2e%2e/secret.txt",
      "/secret.txt",
  };
  for (const auto target : targets) {
    SCOPED_TRACE(target);
    for (std::string_view method : {"GET", "HEAD"}) {
      const std::string answer = get(target, {}, method);
      EXPECT_EQ(answer.find(kSecret), std::string::npos) << answer;
      EXPECT_EQ(answer.find("TOP-SECRET"), std::string::npos);
      const Response response = only_response(answer, method == "HEAD");
      EXPECT_TRUE(response.status_line == "HTTP/1.1 404 Not Found" ||
                  response.status_line == "HTTP/1.1 400 Bad Request")
          << response.status_line;
      EXPECT_NE(response.header("Content-Length"), std::to_string(kSecret.size()));
    }
  }
}

TEST_F(HttpFiles, UnreadableFileIs403) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  const Response response = only_response(get("/locked.txt"));
  EXPECT_EQ(response.status_line, "HTTP/1.1 403 Forbidden");
  expect_common(response);
  EXPECT_EQ(response.body.find("locked"), std::string::npos);
}

TEST_F(HttpFiles, FifoIs404WithoutHanging) {
  ::alarm(20);  // a blocking open would hang: SIGALRM ends the test run instead
  const Response response = only_response(get("/fifo"));
  ::alarm(0);
  EXPECT_EQ(response.status_line, "HTTP/1.1 404 Not Found");
  expect_common(response);
}

// --- conditional requests ---

TEST_F(HttpFiles, IfNoneMatch) {
  const std::string tag = only_response(get("/hello.txt")).header("ETag");
  const std::vector<std::pair<std::string, bool>> cases = {
      {tag, true},
      {"\"other\", " + tag, true},
      {tag + ", \"other\"", true},
      {"\"a\",\"b\"," + tag, true},
      {"W/" + tag, true},
      {"*", true},
      {"\"other\"", false},
      {"W/\"other\"", false},
      {tag.substr(0, tag.size() - 1) + "0\"", false},
      {"\"" + tag.substr(2), false},
      {tag + "junk", false},      // not a list of entity tags
      {tag.substr(0, 5), false},  // a tag cut short
  };
  for (const auto& [header, matches] : cases) {
    SCOPED_TRACE(header);
    const Response response = only_response(get("/hello.txt", "If-None-Match: " + header + "\r\n"));
    if (matches) {
      EXPECT_EQ(response.status_line, "HTTP/1.1 304 Not Modified");
      expect_common(response);
      EXPECT_EQ(response.header("ETag"), tag);
      EXPECT_EQ(response.header("Last-Modified"), kModified);
      EXPECT_EQ(response.body, "");
    } else {
      EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
      EXPECT_EQ(response.body, kHello);
    }
  }
}

TEST_F(HttpFiles, IfModifiedSince) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {std::string(kModified), true},
      {format_date(kMtime + 1), true},
      {format_date(kMtime + 86400 * 365), true},
      {"Sunday, 09-Sep-01 01:46:40 GMT", true},
      {"Sun Sep  9 01:46:40 2001", true},
      {format_date(kMtime - 1), false},
      {format_date(0), false},
      {"not a date", false},
      {"Sun, 09 Sep 2001 01:46:40 UTC", false},
      {"1000000000", false},
  };
  for (const auto& [header, not_modified] : cases) {
    SCOPED_TRACE(header);
    const Response response =
        only_response(get("/hello.txt", "If-Modified-Since: " + header + "\r\n"));
    if (not_modified) {
      EXPECT_EQ(response.status_line, "HTTP/1.1 304 Not Modified");
      EXPECT_EQ(response.header("Last-Modified"), kModified);
      EXPECT_EQ(response.body, "");
    } else {
      EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
      EXPECT_EQ(response.body, kHello);
    }
  }
}

TEST_F(HttpFiles, IfNoneMatchWinsOverIfModifiedSince) {
  const std::string modified = "If-Modified-Since: " + std::string(kModified) + "\r\n";
  EXPECT_EQ(only_response(get("/hello.txt", "If-None-Match: \"other\"\r\n" + modified)).status_line,
            "HTTP/1.1 200 OK");
}

TEST_F(HttpFiles, NotModifiedForHeadAndIndex) {
  const std::string tag = only_response(get("/sub/")).header("ETag");
  EXPECT_EQ(only_response(get("/sub/", "If-None-Match: " + tag + "\r\n")).status_line,
            "HTTP/1.1 304 Not Modified");
  EXPECT_EQ(only_response(get("/hello.txt", "If-None-Match: *\r\n", "HEAD"), true).status_line,
            "HTTP/1.1 304 Not Modified");
}

// --- ranges ---

struct RangeCase {
  std::string_view range;
  int status;                 // 206, 200 or 416
  std::size_t first, length;  // 206
};

TEST_F(HttpFiles, Ranges) {
  const std::string data = all_bytes();
  const std::vector<RangeCase> cases = {
      {"bytes=0-9", 206, 0, 10},
      {"bytes=10-10", 206, 10, 1},
      {"bytes=0-255", 206, 0, 256},
      {"bytes=250-", 206, 250, 6},
      {"bytes=0-", 206, 0, 256},
      {"bytes=255-", 206, 255, 1},
      {"bytes=-10", 206, 246, 10},
      {"bytes=-1", 206, 255, 1},
      {"bytes=-1000", 206, 0, 256},     // a suffix longer than the file is all of it
      {"bytes=200-999", 206, 200, 56},  // the end clamps
      {"bytes=256-", 416, 0, 0},
      {"bytes=300-400", 416, 0, 0},
      {"bytes=-0", 416, 0, 0},
      {"bytes=0-1,5-6", 200, 0, 0},  // several ranges: the whole file
      {"bytes=0-1, 300-400", 200, 0, 0},
      {"bytes=5-2", 200, 0, 0},  // invalid: ignored
      {"bytes=a-b", 200, 0, 0},
      {"bytes=", 200, 0, 0},
      {"bytes=-", 200, 0, 0},
      {"items=0-5", 200, 0, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.range);
    const Response response =
        only_response(get("/data.bin", fmt::format("Range: {}\r\n", c.range)));
    expect_common(response);
    if (c.status == 206) {
      EXPECT_EQ(response.status_line, "HTTP/1.1 206 Partial Content");
      EXPECT_EQ(response.header("Content-Range"),
                fmt::format("bytes {}-{}/256", c.first, c.first + c.length - 1));
      EXPECT_EQ(response.header("Content-Length"), std::to_string(c.length));
      EXPECT_EQ(response.header("Content-Type"), "application/octet-stream");
      EXPECT_EQ(response.body, data.substr(c.first, c.length));
    } else if (c.status == 416) {
      EXPECT_EQ(response.status_line, "HTTP/1.1 416 Range Not Satisfiable");
      EXPECT_EQ(response.header("Content-Range"), "bytes */256");
      EXPECT_EQ(response.body.find('\0'), std::string::npos);
    } else {
      EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
      EXPECT_EQ(response.count("Content-Range"), 0U);
      EXPECT_EQ(response.body, data);
    }
  }
}

TEST_F(HttpFiles, RangeOfAnEmptyFileIsUnsatisfiable) {
  const Response response = only_response(get("/empty.txt", "Range: bytes=0-\r\n"));
  EXPECT_EQ(response.status_line, "HTTP/1.1 416 Range Not Satisfiable");
  EXPECT_EQ(response.header("Content-Range"), "bytes */0");
}

// Range counts only while If-Range names this very file: its strong tag,
// or its Last-Modified exactly; anything else gets the whole file, 200.
TEST_F(HttpFiles, IfRange) {
  const std::string data = all_bytes();
  const std::string tag = only_response(get("/data.bin")).header("ETag");
  const std::string range = "Range: bytes=0-9\r\n";
  const std::vector<std::pair<std::string, bool>> cases = {
      {"If-Range: " + tag + "\r\n", true},
      {"If-Range: " + std::string(kModified) + "\r\n", true},
      {"If-Range: Sunday, 09-Sep-01 01:46:40 GMT\r\n", true},
      {"If-Range: \"nope\"\r\n", false},
      {"If-Range: W/" + tag + "\r\n", false},  // weak: never a strong match
      {"If-Range: " + tag + ", \"nope\"\r\n", false},
      {"If-Range: " + tag.substr(1, tag.size() - 2) + "\r\n", false},  // unquoted
      {"If-Range: " + format_date(kMtime + 1) + "\r\n", false},
      {"If-Range: " + format_date(kMtime - 1) + "\r\n", false},
      {"If-Range: not a date\r\n", false},
      {"If-Range:\r\n", false},
      {"If-Range: " + tag + "\r\nIf-Range: " + tag + "\r\n", false},  // one validator only
  };
  for (const auto& [if_range, holds] : cases) {
    SCOPED_TRACE(if_range);
    for (const auto& order : {range + if_range, if_range + range}) {
      const Response response = only_response(get("/data.bin", order));
      expect_common(response);
      EXPECT_EQ(response.header("ETag"), tag);
      EXPECT_EQ(response.header("Last-Modified"), kModified);
      EXPECT_EQ(response.header("Accept-Ranges"), "bytes");
      EXPECT_EQ(response.header("Content-Type"), "application/octet-stream");
      if (holds) {
        EXPECT_EQ(response.status_line, "HTTP/1.1 206 Partial Content");
        EXPECT_EQ(response.header("Content-Range"), "bytes 0-9/256");
        EXPECT_EQ(response.header("Content-Length"), "10");
        EXPECT_EQ(response.body, data.substr(0, 10));
      } else {
        EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
        EXPECT_EQ(response.count("Content-Range"), 0U);
        EXPECT_EQ(response.header("Content-Length"), "256");
        EXPECT_EQ(response.body, data);
      }
      // HEAD: the same status and headers, no body.
      const Response head = only_response(get("/data.bin", order, "HEAD"), true);
      EXPECT_EQ(head.status_line, response.status_line);
      EXPECT_EQ(head.head, response.head);
    }
  }
}

TEST_F(HttpFiles, IfRangeThatFailsIgnoresEvenAnUnsatisfiableRange) {
  const Response response =
      only_response(get("/data.bin", "Range: bytes=300-\r\nIf-Range: \"nope\"\r\n"));
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.body, all_bytes());
  // Without Range, If-Range alone changes nothing.
  const Response alone = only_response(get("/data.bin", "If-Range: \"nope\"\r\n"));
  EXPECT_EQ(alone.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(alone.body, all_bytes());
}

// A request with a body is answered after it: If-Range must survive the
// wait, however the bytes arrive.
TEST_F(HttpFiles, IfRangeOfARequestWithABody) {
  const std::string tag = only_response(get("/data.bin")).header("ETag");
  const std::string input =
      "GET /data.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=-3\r\nIf-Range: " + tag +
      "\r\nContent-Length: 4\r\n\r\nbody"
      "GET /data.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=-3\r\nIf-Range: \"nope\"\r\n"
      "Transfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n";
  for (std::size_t cut = 0; cut <= input.size(); cut += 5) {
    const std::string answer = exchange(input, {cut});
    std::string_view stream = answer;
    EXPECT_EQ(take_response(stream).status_line, "HTTP/1.1 206 Partial Content") << cut;
    EXPECT_EQ(take_response(stream).status_line, "HTTP/1.1 200 OK") << cut;
    EXPECT_EQ(stream, "");
  }
}

// --- a connection's worth ---

TEST_F(HttpFiles, PipelinedAnswersInOrderAtEveryCut) {
  const std::string input =
      "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /data.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=-3\r\n\r\n"
      "HEAD /sub/ HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody"
      "GET /sub HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /noext HTTP/1.0\r\n\r\n"
      "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::string whole = exchange(input);
  std::string_view stream = whole;
  EXPECT_EQ(take_response(stream).body, kHello);
  EXPECT_EQ(take_response(stream).body, "\xfd\xfe\xff");
  EXPECT_EQ(take_response(stream, true).status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(take_response(stream).status_line, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(take_response(stream).status_line, "HTTP/1.1 301 Moved Permanently");
  const Response last = take_response(stream);
  EXPECT_EQ(last.body, "no extension");
  EXPECT_EQ(last.header("Connection"), "close");  // HTTP/1.0: nothing answered after it
  EXPECT_EQ(stream, "");
  for (std::size_t cut = 0; cut <= input.size(); ++cut)
    ASSERT_EQ(exchange(input, {cut}), whole) << "cut at " << cut;
}

TEST_F(HttpFiles, ConnectionCloseIsHonoured) {
  const std::string answer = exchange(
      "GET /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
      "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  const Response response = only_response(answer);
  EXPECT_EQ(response.header("Connection"), "close");
  EXPECT_EQ(response.body, kHello);
}

TEST_F(HttpFiles, MissingRootThrows) {
  HttpSettings settings = this->settings();
  settings.root = base_ + "/does-not-exist";
  EXPECT_THROW(make_site(settings), std::system_error);
}

}  // namespace
}  // namespace netcook::proto::http
