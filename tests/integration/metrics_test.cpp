// The status listener (http: {status: true}) through the real daemon, once
// per model (the status listener and the echo listener it measures both
// under the case's model, fork included): /metrics counts exactly what
// happened — five connections accepted, closed by their peer, and every
// byte each way — and `promtool check metrics` finds nothing to say about
// it; /status.json carries the same figures; / is the status page; HEAD,
// 404 and 405 as for any http listener.
//
// Counts are read by scraping until they show what the test did (bounded
// by a deadline): a connection's end is counted when its owner (a worker
// thread, a connection process) has closed it, a moment after the client
// sees the close.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "http_reply.hpp"
#include "models.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace netcook::test {
namespace {

constexpr int kConnections = 5;

std::string status_listener_text(const std::string& model) {
  return "  - name: status\n"
         "    protocol: http\n"
         "    model: " +
         model +
         "\n"
         "    listen: 127.0.0.1:0\n"
         "    http:\n"
         "      status: true\n";
}

// An echo listener and a status listener under `model`, and a chat
// listener (its families in the scrape).
std::string config_for(const std::string& model) {
  return make_chat_config({{.name = "room"}}, {}, {{.name = "echo", .model = model}}) +
         status_listener_text(model);
}

HttpReply fetch(std::uint16_t port, std::string_view target, std::string_view method = "GET") {
  auto client = Client::connect(port);
  EXPECT_EQ(client.write_all(http_get(target, "Connection: close\r\n", method)), IoStatus::ok);
  return read_reply(client, kWait, method == "HEAD");
}

// "name{labels}" -> value, from the exposition text.
using Samples = std::map<std::string, std::string>;

Samples parse_samples(const std::string& text) {
  Samples samples;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.rfind(' ');
    samples[line.substr(0, space)] = line.substr(space + 1);
  }
  return samples;
}

class Scraper {
 public:
  explicit Scraper(std::uint16_t port) : port_(port) {}

  std::string text() const {
    const auto reply = fetch(port_, "/metrics");
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    return reply.body;
  }
  Samples samples() const { return parse_samples(text()); }

 private:
  std::uint16_t port_;
};

// A counter's value, 0 when the series is absent.
std::uint64_t value_of(const Samples& samples, const std::string& series) {
  const auto found = samples.find(series);
  return found == samples.end() ? 0 : std::stoull(found->second);
}

std::string series(const std::string& name, const std::string& model,
                   const std::string& extra = "") {
  return name + "{listener=\"echo\",protocol=\"echo\",model=\"" + model + "\"" +
         (extra.empty() ? "" : "," + extra) + "}";
}

class MetricsTest : public ::testing::TestWithParam<std::string> {
 protected:
  MetricsTest()
      : daemon_(config_for(GetParam())),
        echo_port_(daemon_.port_of("echo")),
        status_port_(daemon_.port_of("status")),
        scraper_(status_port_) {}

  const std::string& model() const { return GetParam(); }

  Daemon daemon_;
  std::uint16_t echo_port_;
  std::uint16_t status_port_;
  Scraper scraper_;
};

// N connections, known bytes each way, closed by the client: the counters
// move by exactly that much.
TEST_P(MetricsTest, CountsAreExact) {
  const Samples before = scraper_.samples();
  ASSERT_TRUE(before.contains(series("netcookd_connections_accepted_total", model())))
      << scraper_.text();

  std::uint64_t bytes = 0;
  std::vector<Client> clients;
  for (int i = 0; i < kConnections; ++i) clients.push_back(Client::connect(echo_port_));
  for (int i = 0; i < kConnections; ++i) {
    const std::string message = "message " + std::to_string(i) + std::string(100 * i, 'x');
    ASSERT_EQ(clients[static_cast<std::size_t>(i)].exchange(message), message);
    bytes += message.size();
  }
  for (auto& client : clients) {
    client.shutdown_write();
    ASSERT_EQ(client.wait_closed(), IoStatus::closed);
  }
  clients.clear();

  const std::string closed =
      series("netcookd_connections_closed_total", model(), "reason=\"peer_closed\"");
  const Deadline deadline(kWait);
  Samples after = scraper_.samples();
  while (value_of(after, closed) < value_of(before, closed) + kConnections && !deadline.expired()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling, bounded by deadline
    after = scraper_.samples();
  }
  const auto delta = [&](const std::string& name) {
    return value_of(after, name) - value_of(before, name);
  };
  EXPECT_EQ(delta(closed), std::uint64_t{kConnections});
  EXPECT_EQ(delta(series("netcookd_connections_accepted_total", model())),
            std::uint64_t{kConnections});
  EXPECT_EQ(delta(series("netcookd_received_bytes_total", model())), bytes);
  EXPECT_EQ(delta(series("netcookd_sent_bytes_total", model())), bytes);
  EXPECT_EQ(value_of(after, series("netcookd_connections_active", model())), 0u);
  EXPECT_EQ(delta(series("netcookd_connection_duration_seconds_count", model())),
            std::uint64_t{kConnections});
  // Nothing ended any other way.
  for (const auto reason : {"peer_reset", "session_closed", "idle_timeout", "io_error"})
    EXPECT_EQ(delta(series("netcookd_connections_closed_total", model(),
                           std::string("reason=\"") + reason + "\"")),
              0u)
        << reason;
}

// Every HTTP response is counted once by its status code, and timed: the
// status listener's own requests are the test's. A scrape is counted once
// its response is queued, after it was rendered: the scrape before shows
// neither itself nor what follows; the scrape after shows all but itself.
TEST_P(MetricsTest, CountsHttpResponsesByCode) {
  const auto requests = [&](const char* code) {
    return "netcookd_http_requests_total{listener=\"status\",protocol=\"http\",model=\"" +
           model() + "\",code=\"" + code + "\"}";
  };
  const std::string timed = "netcookd_http_request_duration_seconds_count{listener=\"status\","
                            "protocol=\"http\",model=\"" + model() + "\"}";
  const Samples before = scraper_.samples();
  constexpr int kFound = 3, kMissing = 2;
  for (int i = 0; i < kFound; ++i) EXPECT_EQ(fetch(status_port_, "/status.json").status, 200);
  for (int i = 0; i < kMissing; ++i) EXPECT_EQ(fetch(status_port_, "/nothing").status, 404);
  const Samples after = scraper_.samples();
  EXPECT_EQ(value_of(after, requests("200")) - value_of(before, requests("200")),
            std::uint64_t{kFound + 1});
  EXPECT_EQ(value_of(after, requests("404")) - value_of(before, requests("404")),
            std::uint64_t{kMissing});
  EXPECT_EQ(value_of(after, timed) - value_of(before, timed),
            std::uint64_t{kFound + kMissing + 1});
}

// The daemon's and the process's series are there, and the status
// listener's own.
TEST_P(MetricsTest, DaemonSeries) {
  const Samples samples = scraper_.samples();
  EXPECT_EQ(value_of(samples, "netcookd_build_info{version=\"" NETCOOKD_VERSION "\"}"), 1u);
  EXPECT_TRUE(samples.contains("netcookd_start_time_seconds"));
  EXPECT_TRUE(samples.contains("netcookd_reloads_total{result=\"ok\"}"));
  EXPECT_EQ(
      value_of(samples,
               "netcookd_listener_info{listener=\"status\",protocol=\"http\","
               "model=\"" +
                   model() + "\",address=\"127.0.0.1:" + std::to_string(status_port_) + "\"}"),
      1u);
  for (const auto name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                          "process_open_fds", "process_max_fds", "process_start_time_seconds"})
    EXPECT_TRUE(samples.contains(name)) << name;
  EXPECT_GT(value_of(samples, "process_open_fds"), 2u);
  // The status listener is an http listener like any other (its requests
  // are counted where the http session counts them).
  EXPECT_TRUE(
      samples.contains("netcookd_http_request_duration_seconds_count{listener=\"status\","
                       "protocol=\"http\",model=\"" +
                       model() + "\"}"));
  EXPECT_TRUE(samples.contains(
      "netcookd_chat_members{listener=\"room\",protocol=\"chat\",model=\"epoll\"}"));
}

// promtool (Debian's prometheus package), when installed, accepts a
// scrape without a word.
TEST_P(MetricsTest, PromtoolAccepts) {
  const auto promtool = find_program("promtool");
  if (!promtool) GTEST_SKIP() << "promtool is not installed";
  {
    auto client = Client::connect(echo_port_);
    ASSERT_EQ(client.exchange("some bytes"), "some bytes");
  }
  scraper_.text();
  const TempDir dir;
  const std::string path = dir.file("scrape.txt");
  std::ofstream(path) << scraper_.text();
  const auto result =
      run_to_completion({"/bin/sh", "-c", "exec \"$0\" check metrics < \"$1\"", *promtool, path});
  ASSERT_EQ(result.exit_status, std::optional<int>(0)) << result.out << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "");
}

TEST_P(MetricsTest, StatusJson) {
  {
    auto client = Client::connect(echo_port_);
    ASSERT_EQ(client.exchange("twelve bytes"), "twelve bytes");
  }
  const auto reply = fetch(status_port_, "/status.json");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("Content-Type"), "application/json");
  EXPECT_EQ(reply.header("Cache-Control"), "no-store");
  const std::string& json = reply.body;
  EXPECT_NE(json.find("\"pid\": " + std::to_string(daemon_.pid())), std::string::npos) << json;
  for (const auto name : {"echo", "room", "status"})
    EXPECT_NE(json.find(std::string("\"name\": \"") + name + "\""), std::string::npos) << json;
  EXPECT_TRUE(std::regex_search(json, std::regex(R"("received": [0-9]+)"))) << json;
  EXPECT_TRUE(std::regex_search(json, std::regex(R"("now": [0-9]+(\.[0-9]+)?)"))) << json;
  // A real JSON parser agrees, where there is one.
  const auto python = find_program("python3");
  if (!python) return;
  const TempDir dir;
  const std::string path = dir.file("status.json");
  std::ofstream(path) << json;
  const auto result = run_to_completion(
      {*python, "-c",
       "import json, sys\n"
       "d = json.load(open(sys.argv[1]))\n"
       "names = [l['name'] for l in d['listeners']]\n"
       "assert names == sorted(names), names\n"
       "echo = [l for l in d['listeners'] if l['name'] == 'echo'][0]\n"
       "assert echo['connections']['accepted'] >= 1, echo\n"
       "assert echo['bytes']['received'] >= 12, echo\n"
       "assert isinstance(d['process']['open_fds'], int), d['process']\n"
       "assert 'http' in [l for l in d['listeners'] if l['name'] == 'status'][0]\n"
       "assert 'chat' in [l for l in d['listeners'] if l['name'] == 'room'][0]\n",
       path});
  EXPECT_EQ(result.exit_status, std::optional<int>(0)) << result.err << json;
}

TEST_P(MetricsTest, PageAndOtherPaths) {
  const auto page = fetch(status_port_, "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<html"), std::string::npos);

  const auto head = fetch(status_port_, "/metrics", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");

  EXPECT_EQ(fetch(status_port_, "/nothing-here").status, 404);
  EXPECT_EQ(fetch(status_port_, "/metrics/").status, 404);
  EXPECT_EQ(fetch(status_port_, "/metrics?x=1").status, 200);
  EXPECT_EQ(fetch(status_port_, "/metrics", "POST").status, 405);
}

INSTANTIATE_TEST_SUITE_P(Models, MetricsTest, kAllModels, model_name);

}  // namespace
}  // namespace netcook::test
