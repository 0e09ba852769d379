// SIGHUP through the real daemon: listeners added, removed, unchanged and
// changed; and a broken file that must leave the old configuration running.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "models.hpp"

namespace netcook::test {
namespace {

std::string address_of(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

struct ReloadOutcome {
  std::size_t mark;  // log lines before the signal: look at later ones only
  LineMatch line;    // "reload done: ..." or "reload failed: ..."
  bool done() const { return line.groups.at(1) == "done"; }
};

// Sends SIGHUP and waits for the outcome line.
ReloadOutcome reload(const Daemon& daemon) {
  const auto mark = daemon.log_mark();
  daemon.send_signal(SIGHUP);
  return {mark, daemon.wait_for_line("reload (done|failed):", kWait, mark)};
}

TEST(Reload, AddsRemovesAndKeepsListeners) {
  Daemon daemon(make_config({{.name = "a"}, {.name = "b"}}));
  const auto port_a = daemon.port_of("a");
  const auto port_b = daemon.port_of("b");
  auto held_a = Client::connect(port_a);
  ASSERT_EQ(held_a.exchange("a before"), "a before");
  auto held_b = Client::connect(port_b);
  ASSERT_EQ(held_b.exchange("b before"), "b before");

  daemon.write_config(make_config({{.name = "a"}, {.name = "c"}}));
  const auto outcome = reload(daemon);
  ASSERT_TRUE(outcome.done()) << outcome.line.line;

  const auto port_c = daemon.port_of("c", outcome.mark);
  ASSERT_NE(port_c, port_b) << "c got b's old port: inconclusive, rerun";
  auto client_c = Client::connect(port_c);
  EXPECT_EQ(client_c.exchange("c new"), "c new");

  // The removed listener refuses new connections at once...
  auto refused = Client::try_connect(port_b);
  EXPECT_FALSE(refused.client.has_value())
      << "removed listener b still accepts on port " << port_b;
  EXPECT_EQ(refused.error, ECONNREFUSED);
  // ...while its existing connection drains.
  EXPECT_EQ(held_b.exchange("b draining"), "b draining");

  // The unchanged listener was not touched.
  EXPECT_EQ(held_a.exchange("a after"), "a after");
  auto new_a = Client::connect(port_a);
  EXPECT_EQ(new_a.exchange("a new"), "a new");
  EXPECT_FALSE(daemon.find_line("listener a:", outcome.mark))
      << "unchanged listener a was restarted";

  // The log names each listener the reload touched, in its own log, after
  // the signal and before the summary.
  const auto signal = daemon.wait_for_line(R"(\[netcookd\] SIGHUP received$)", kWait, outcome.mark);
  const auto gone = daemon.wait_for_line(R"(\[b\] listener b: removed$)", kWait, outcome.mark);
  const auto added = daemon.wait_for_line(R"(\[c\] listener c: added$)", kWait, outcome.mark);
  EXPECT_LT(signal.index, gone.index);
  EXPECT_LT(gone.index, outcome.line.index);
  EXPECT_LT(added.index, outcome.line.index);
  EXPECT_NE(outcome.line.line.find("(1 added, 0 changed, 1 removed, 1 unchanged)"),
            std::string::npos)
      << outcome.line.line;
}

// A port that was just free: the one a first daemon got for "127.0.0.1:0",
// read from its log, after that daemon has exited.
std::uint16_t port_of_stopped_daemon() {
  Daemon first(make_config({{.name = "a"}}));
  const auto port = first.port_of("a");
  first.send_signal(SIGTERM);
  EXPECT_EQ(first.wait_exit(kWait), 0);
  return port;
}

TEST(Reload, ChangedListenerRestartsOnTheSamePort) {
  const auto port = port_of_stopped_daemon();
  const std::string on_port =
      "listener a: echo/epoll on " + regex_escape(address_of(port));
  Daemon daemon(make_config({{.name = "a", .listen = address_of(port)}}));
  auto held = Client::connect(port);
  ASSERT_EQ(held.exchange("raw\n"), "raw\n");

  // Same address, raw -> line.
  daemon.write_config(make_config({{.name = "a",
                                    .listen = address_of(port),
                                    .mode = "line",
                                    .prefix = "L: "}}));
  const auto outcome = reload(daemon);
  ASSERT_TRUE(outcome.done()) << outcome.line.line;
  daemon.wait_for_line(on_port, kWait, outcome.mark);
  auto line_client = Client::connect(port);
  ASSERT_EQ(line_client.write_all("hi\n"), IoStatus::ok);
  EXPECT_EQ(line_client.read_line(), "L: hi\n");

  // What changed, named as the configuration writes it.
  EXPECT_TRUE(daemon.find_line(
      R"(\[a\] listener a: echo\.mode raw -> line; echo\.prefix "" -> "L: "$)", outcome.mark));

  // The old instance's connection drains with its old settings; its own
  // log says so, with the default shutdown_timeout as it is written.
  EXPECT_EQ(held.exchange("still raw\n"), "still raw\n");
  EXPECT_TRUE(daemon.find_line(R"(info \[a\] listener a: draining 1 connection\(s\) for up to 10s$)",
                               outcome.mark));
}

TEST(Reload, PinningTheEphemeralPortRestartsOnIt) {
  Daemon daemon(make_config({{.name = "a"}}));
  const auto port = daemon.port_of("a");
  auto held = Client::connect(port);
  ASSERT_EQ(held.exchange("before"), "before");

  // "127.0.0.1:0" -> "127.0.0.1:<the port it got>": a changed listener that
  // must come back on the port it already holds.
  daemon.write_config(make_config({{.name = "a", .listen = address_of(port)}}));
  const auto outcome = reload(daemon);
  ASSERT_TRUE(outcome.done()) << outcome.line.line;
  daemon.wait_for_line(
      "listener a: echo/epoll on " + regex_escape(address_of(port)), kWait,
      outcome.mark);
  auto pinned = Client::connect(port);
  EXPECT_EQ(pinned.exchange("pinned"), "pinned");
  EXPECT_EQ(held.exchange("after"), "after");
}

// Reloads `broken` (which has an error at `position`, e.g. ":11:5: ", or
// any position when empty) and checks that the old listener "a" survives.
void expect_failed_reload_keeps_serving(std::string_view broken,
                                        const std::string& position) {
  Daemon daemon(make_config({{.name = "a"}}));
  const auto port = daemon.port_of("a");
  auto held = Client::connect(port);
  ASSERT_EQ(held.exchange("before"), "before");

  daemon.write_config(broken);
  const auto outcome = reload(daemon);
  ASSERT_FALSE(outcome.done()) << outcome.line.line;
  const auto mark = outcome.mark;
  const auto& failed = outcome.line;
  const std::string error_pattern =
      regex_escape(daemon.config_path()) +
      (position.empty() ? std::string(R"(:[1-9]\d*:[1-9]\d*: )")
                        : regex_escape(position));
  const auto error = daemon.wait_for_line(error_pattern, Timeout{0}, mark);
  EXPECT_LT(error.index, failed.index) << "error not logged before failure";
  EXPECT_FALSE(daemon.find_line("reload done:", mark));

  EXPECT_EQ(held.exchange("after"), "after");
  auto fresh = Client::connect(port);
  EXPECT_EQ(fresh.exchange("fresh"), "fresh");
  EXPECT_FALSE(daemon.wait_exit(Timeout{0}).has_value());

  // Fixing the file makes the next reload succeed.
  daemon.write_config(make_config({{.name = "a"}, {.name = "b"}}));
  const auto fixed = reload(daemon);
  ASSERT_TRUE(fixed.done()) << fixed.line.line;
  auto client_b = Client::connect(daemon.port_of("b", fixed.mark));
  EXPECT_EQ(client_b.exchange("b"), "b");
}

TEST(Reload, YamlSyntaxErrorKeepsOldConfiguration) {
  expect_failed_reload_keeps_serving(
      "listeners:\n"
      "  - name: a\n"
      "    protocol: [echo\n"
      "    model: epoll\n",
      "");
}

TEST(Reload, UnknownKeyKeepsOldConfiguration) {
  std::string text = make_config({{.name = "a"}});
  const auto line = std::count(text.begin(), text.end(), '\n') + 1;
  text += "    colour: blue\n";  // in listener a, at column 5
  expect_failed_reload_keeps_serving(text, ":" + std::to_string(line) + ":5: ");
}

// The fork model's listeners and connection processes live in the fork
// master, another process: a reload that changes log.level must reach them
// even though the listener itself is unchanged.
TEST(Reload, LogLevelReachesAnUnchangedForkListener) {
  const std::string debug = make_config({{.name = "f", .model = "fork"}});
  std::string info = debug;
  info.replace(info.find("level: debug"), 12, "level: info");
  Daemon daemon(info);
  const auto port = daemon.port_of("f");
  auto quiet = Client::connect(port);
  ASSERT_EQ(quiet.exchange("x"), "x");

  daemon.write_config(debug);
  const auto outcome = reload(daemon);
  ASSERT_TRUE(outcome.done()) << outcome.line.line;
  auto loud = Client::connect(port);
  ASSERT_EQ(loud.exchange("y"), "y");
  daemon.wait_for_line(
      "connection from " + regex_escape(loud.local_address()) + " served by process", kWait,
      outcome.mark);
  EXPECT_TRUE(daemon.find_line(R"(\[netcookd\] log level: info -> debug$)", outcome.mark));
  // Its process wrote before the reload, to the same pipe: had it logged,
  // the line would be in by now.
  EXPECT_FALSE(daemon.find_line("connection from " + regex_escape(quiet.local_address())))
      << "logged at debug while log.level was info";
}

// Connects, exchanges a message and disconnects in a loop on its own thread,
// counting successes and failures, so a test can check that no connection
// was refused or broken while something changed underneath.
class Prober {
 public:
  explicit Prober(std::uint16_t port) : thread_([this, port] { run(port); }) {}
  ~Prober() {
    stop_ = true;
    thread_.join();
  }

  // Waits until `count` more probes have succeeded (false on timeout).
  bool wait_successes(int count) {
    std::unique_lock lock(mutex_);
    const int target = ok_ + count;
    return cv_.wait_for(lock, kWait, [&] { return ok_ >= target || failed_ > 0; }) &&
           ok_ >= target;
  }

  std::pair<int, int> counts() {
    std::lock_guard lock(mutex_);
    return {ok_, failed_};
  }
  std::string first_failure() {
    std::lock_guard lock(mutex_);
    return failure_;
  }

 private:
  void run(std::uint16_t port) {
    for (int n = 0; !stop_; ++n) {
      std::string problem;
      auto attempt = Client::try_connect(port);
      if (!attempt.client) {
        problem = "connect failed: errno " + std::to_string(attempt.error);
      } else {
        const std::string message = "probe " + std::to_string(n) + "\n";
        const std::string echoed = attempt.client->exchange(message);
        if (echoed != message) problem = "bad echo: '" + echoed + "'";
      }
      std::lock_guard lock(mutex_);
      if (problem.empty()) {
        ++ok_;
      } else if (failed_++ == 0) {
        failure_ = problem;
      }
      cv_.notify_all();
    }
  }

  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  int ok_ = 0;
  int failed_ = 0;
  std::string failure_;
  std::thread thread_;
};

using ModelPair = std::pair<std::string, std::string>;

// Every ordered pair of different models; a model changing to itself (a
// changed setting) when only one model is built.
std::vector<ModelPair> model_pairs() {
  const std::vector<std::string> models = model_names();
  std::vector<ModelPair> pairs;
  for (const auto& from : models)
    for (const auto& to : models)
      if (from != to) pairs.emplace_back(from, to);
  if (pairs.empty()) pairs.emplace_back(models.front(), models.front());
  return pairs;
}

class ModelSwitch : public testing::TestWithParam<ModelPair> {};

// A listener switched to another model on the same address keeps its
// listening socket: clients connecting all through the reload are never
// refused, and connections made before it keep working.
TEST_P(ModelSwitch, NoConnectionRefusedWhileSwitching) {
  const auto& [from, to] = GetParam();
  const auto port = port_of_stopped_daemon();
  Daemon daemon(make_config({{.name = "a", .model = from, .listen = address_of(port)}}));
  auto held = Client::connect(port);
  ASSERT_EQ(held.exchange("before\n"), "before\n");

  Prober prober(port);
  ASSERT_TRUE(prober.wait_successes(20)) << prober.first_failure();
  // Same model twice: change the mode so the listener really restarts.
  daemon.write_config(make_config({{.name = "a",
                                    .model = to,
                                    .listen = address_of(port),
                                    .mode = from == to ? "line" : "raw"}}));
  const auto outcome = reload(daemon);
  ASSERT_TRUE(outcome.done()) << outcome.line.line;
  daemon.wait_for_line("listener a: echo/" + to + " on " + regex_escape(address_of(port)),
                       kWait, outcome.mark);
  EXPECT_TRUE(prober.wait_successes(20)) << prober.first_failure();

  const auto [ok, failed] = prober.counts();
  EXPECT_EQ(failed, 0) << prober.first_failure() << " (" << ok << " probes succeeded)";
  EXPECT_EQ(held.exchange("after\n"), "after\n");
}

INSTANTIATE_TEST_SUITE_P(Models, ModelSwitch, testing::ValuesIn(model_pairs()),
                         [](const testing::TestParamInfo<ModelPair>& pair) {
                           return pair.param.first + "_to_" + pair.param.second;
                         });

}  // namespace
}  // namespace netcook::test
