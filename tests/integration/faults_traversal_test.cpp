// Path traversal beyond http_test.cpp's TraversalNeverLeavesTheRoot
// (which covers ".." in six spellings at every position, and the first
// symlinks), under every model: backslashes, raw and encoded, at every
// separator; NUL, encoded and raw, at every position; more spellings of
// ".." (double and triple encoding, overlong UTF-8, trailing junk) at every
// position; every kind of symlink out of the root (traversal_site.hpp);
// HEAD, Range and absolute-form requests for them; and a directory swapped
// for a symlink out and back while requests run through it. Never a byte
// from outside the root.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "http_reply.hpp"
#include "models.hpp"
#include "traversal_site.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdio.h>  // renameat2

#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace netcook::test {
namespace {

// Every way of writing the separators of `segments` with at least one
// backslash ("\", "%5c" or "%5C"); the first one also as a bare "\".
std::vector<std::string> backslash_targets(const std::vector<std::string>& segments) {
  const std::vector<std::string> inner{"/", "\\", "%5c", "%5C"};
  std::vector<std::string> targets;
  std::size_t combinations = 1;
  for (std::size_t i = 1; i < segments.size(); ++i) combinations *= inner.size();
  for (const std::string first : {"/", "\\"}) {
    for (std::size_t combination = 0; combination < combinations; ++combination) {
      std::string target = first + segments[0];
      bool backslash = first != "/";
      for (std::size_t i = 1, rest = combination; i < segments.size(); ++i, rest /= inner.size()) {
        const auto& separator = inner[rest % inner.size()];
        backslash = backslash || separator != "/";
        target += separator + segments[i];
      }
      if (backslash) targets.push_back(target);
    }
  }
  return targets;
}

// `text` with "%00" put at each position after the leading '/'.
std::vector<std::string> nul_targets(const std::string& text) {
  std::vector<std::string> targets;
  for (std::size_t at = 1; at <= text.size(); ++at)
    targets.push_back(text.substr(0, at) + "%00" + text.substr(at));
  return targets;
}

// ".." in spellings http_test.cpp does not try, at every position of a
// path of up to three segments, then the secret or /etc/passwd.
std::vector<std::string> more_dot_dot_targets() {
  const std::vector<std::string> up{"%25%32%65%25%32%65",  // double-encoded dots, each byte
                                    "%252E%252E",
                                    "%25252e%25252e",  // double, triple
                                    "%c0%ae%c0%ae",
                                    "%e0%80%ae%e0%80%ae",  // overlong UTF-8
                                    "%2e%2e%5c",
                                    "..%5c",
                                    "..%2f",
                                    "%2e%2e%2f",
                                    "..;",
                                    ".. ",
                                    "..%20",
                                    "..%09",
                                    "...",
                                    "%2e%2e%2e",
                                    ".%2E",
                                    "%2E."};
  std::vector<std::string> targets;
  std::size_t spelling = 0;
  for (const std::string end : {"secret.txt", "etc/passwd", "outside/secret.txt"}) {
    for (int length = 1; length <= 3; ++length) {
      for (unsigned mask = 1; mask < (1u << length); ++mask) {
        std::string target;
        for (int i = 0; i < length; ++i)
          target += "/" + ((mask >> i & 1u) != 0 ? up[spelling++ % up.size()] : "sub");
        targets.push_back(target + "/" + end);
      }
    }
  }
  for (const auto& spelled : up) targets.push_back("/" + spelled + "/" + spelled + "/secret.txt");
  return targets;
}

// Through each symlink of the site, in several forms.
std::vector<std::string> symlink_targets() {
  return {"/link-out",
          "/link-out/",
          "/link-absolute",
          "/chain1",
          "/chain2",
          "/sub/deeper/out",
          "/sub/deeper/out/",
          "/trap/",
          "/trap/index.html",
          "/trap",
          "/dir-out",
          "/dir-out/",
          "/dir-out/index.html",
          "/dir-out/outside/secret.txt",
          "/dir-absolute/",
          "/dir-absolute/secret.txt",
          "/sub/up-two/",
          "/sub/up-two/index.html",
          "/proc-self/root/etc/passwd",
          "/proc-self/cwd/secret.txt",
          "/proc-self/fd/0",
          "/proc-self/environ",
          "/loop",
          "/%64ir-out/secret.txt",
          "/dir%2dout/secret.txt",
          "/dir-out%2fsecret.txt",
          "/link%2Dout",
          "/alias.txt",
          "/sub/back",
          "/sub/../link-out",
          "/sub/deeper/../../dir-out/secret.txt",
          "/./dir-out/./secret.txt",
          "//dir-out//secret.txt",
          "/dir-out/../dir-out/secret.txt",
          "/dir-out/www/link-out",
          "/dir-out/www/dir-out/secret.txt"};
}

// Raw requests on keep-alive connections (a new one when the server
// closes); each answer checked, head included. Returns the statuses seen.
std::map<int, int> request_all(const TraversalSite& site, std::uint16_t port,
                               const std::vector<std::string>& requests,
                               const std::vector<std::string>& names) {
  std::map<int, int> statuses;
  std::optional<Client> client;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (!client) client = Client::connect(port);
    const bool head_only = requests[i].starts_with("HEAD ");
    EXPECT_EQ(client->write_all(requests[i]), IoStatus::ok) << names[i];
    const auto reply = read_reply(*client, kWait, head_only);
    EXPECT_EQ(reply.io, IoStatus::ok) << names[i];
    if (reply.io != IoStatus::ok) {
      client.reset();
      continue;
    }
    std::string head = reply.status_line + "\n";
    for (const auto& [field, value] : reply.headers) head += field + ": " + value + "\n";
    expect_nothing_leaked(site, names[i], reply.status, reply.body, head, head_only);
    ++statuses[reply.status];
    if (reply.closes()) {
      EXPECT_EQ(client->wait_closed(kWait), IoStatus::closed) << names[i];
      client.reset();
    }
  }
  return statuses;
}

void print(const std::string& what, std::size_t count, const std::map<int, int>& statuses) {
  std::cout << "[ info     ] " << what << ": " << count << " requests:";
  for (const auto& [status, times] : statuses) std::cout << " " << times << " x " << status;
  std::cout << "\n";
}

class Traversal : public ::testing::TestWithParam<std::string> {
 protected:
  TraversalSite site;
  Daemon daemon{make_http_config({{.name = "web", .model = GetParam(), .root = site.root}})};
  std::uint16_t port = daemon.port_of("web");
};

TEST_P(Traversal, EncodingsBackslashesAndNulNeverLeaveTheRoot) {
  std::vector<std::string> targets = more_dot_dot_targets();
  for (const std::vector<std::string>& segments : {std::vector<std::string>{"..", "secret.txt"},
                                                   {"sub", "..", "..", "secret.txt"},
                                                   {"..", "..", "etc", "passwd"},
                                                   {"sub", "..", "public.txt"}}) {
    const auto more = backslash_targets(segments);
    targets.insert(targets.end(), more.begin(), more.end());
  }
  for (const std::string text : {"/../secret.txt", "/dir-out/secret.txt", "/public.txt"}) {
    const auto more = nul_targets(text);
    targets.insert(targets.end(), more.begin(), more.end());
  }
  std::vector<std::string> requests;
  for (const auto& target : targets) requests.push_back(http_get(target));
  // A raw NUL byte in the request line, anywhere in the target.
  const std::string raw = "/../secret.txt";
  for (std::size_t at = 1; at <= raw.size(); ++at) {
    std::string target = raw;
    target.insert(at, 1, '\0');
    targets.push_back("raw NUL at " + std::to_string(at));
    requests.push_back(http_get(target));
  }
  auto statuses = request_all(site, port, requests, targets);
  print(GetParam() + " encodings", requests.size(), statuses);
  EXPECT_GE(statuses[404], 50) << "too few attempts reached the file system";
  EXPECT_GE(statuses[400], static_cast<int>(raw.size())) << "NUL was not refused";
}

TEST_P(Traversal, NoSymlinkLeadsOutOfTheRoot) {
  std::vector<std::string> names;
  std::vector<std::string> requests;
  for (const auto& target : symlink_targets()) {
    for (const auto& [name, request] : std::vector<std::pair<std::string, std::string>>{
             {target, http_get(target)},
             {"HEAD " + target, http_get(target, "", "HEAD")},
             {target + " with Range", http_get(target, "Range: bytes=0-4\r\n")},
             {target + " with If-None-Match", http_get(target, "If-None-Match: *\r\n")},
             {"absolute-form " + target, http_get("http://localhost" + target)},
         }) {
      names.push_back(name);
      requests.push_back(request);
    }
  }
  auto statuses = request_all(site, port, requests, names);
  print(GetParam() + " symlinks", requests.size(), statuses);
  EXPECT_GE(statuses[404], static_cast<int>(symlink_targets().size()));
  // The symlinks that stay inside work (so the 404s are not just a broken root).
  auto client = Client::connect(port);
  ASSERT_EQ(client.write_all(http_get("/sub/back")), IoStatus::ok);
  EXPECT_EQ(read_reply(client).body, "public\n");
}

// While requests for /flip/secret.txt run, the directory "flip" of the
// root and a symlink to the directory outside that holds a secret.txt swap
// places (renameat2 RENAME_EXCHANGE), again and again: a server that
// checked the path and then opened it would sooner or later open the
// secret.
TEST_P(Traversal, DirectorySwappedForASymlinkOutNeverLeaks) {
  constexpr int kRequests = 1'000;
  const std::string flip = site.root + "/flip";
  const std::string other = site.root + "/flip-other";
  site.add("www/flip/secret.txt", "decoy\n");
  std::filesystem::create_directory_symlink(site.base.file("outside"), other);

  std::atomic<bool> stop{false};
  std::atomic<int> swaps{0};
  std::thread swapper([&] {
    while (!stop) {
      // Flat out, but only while the 1,000 requests run.
      if (::renameat2(AT_FDCWD, flip.c_str(), AT_FDCWD, other.c_str(), RENAME_EXCHANGE) == 0)
        ++swaps;
    }
  });
  // Rounds of requests until both sides of the race were seen (a swapper
  // thread starved on a busy machine can leave one round all on one side),
  // at most kRounds; every reply of every round is checked for the secret.
  constexpr int kRounds = 10;
  const std::vector<std::string> requests(kRequests, http_get("/flip/secret.txt"));
  const std::vector<std::string> names(kRequests, "/flip/secret.txt");
  std::map<int, int> statuses;
  int rounds = 0;
  while (rounds < kRounds && (statuses[200] == 0 || statuses[404] == 0)) {
    for (const auto& [status, times] : request_all(site, port, requests, names))
      statuses[status] += times;
    ++rounds;
  }
  stop = true;
  swapper.join();
  print(GetParam() + " swapped directory (" + std::to_string(swaps) + " swaps, " +
            std::to_string(rounds) + " rounds)",
        requests.size() * static_cast<std::size_t>(rounds), statuses);
  EXPECT_GT(swaps.load(), 0) << "renameat2: the swap never happened";
  EXPECT_GT(statuses[200], 0) << "never served the decoy: the race was not run";
}

INSTANTIATE_TEST_SUITE_P(Faults, Traversal, kAllModels, model_name);

}  // namespace
}  // namespace netcook::test
