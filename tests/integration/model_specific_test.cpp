// What each concurrency model promises beyond the shared behaviour, checked
// against the real binary (tests/model/ checks the drivers in-process):
// - fork: a connection process killed with SIGKILL ends only its own
//   connection, is logged and reaped (no zombie), and the listener carries on;
// - thread: hundreds of connections at once, each on a thread named after the
//   listener, and every thread gone once its client has left;
// - select: connections whose descriptor would be at or above FD_SETSIZE are
//   refused cleanly, logged once per burst, while the others are served.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace netcook::test {
namespace {

using namespace std::chrono_literals;

// ---- /proc -------------------------------------------------------------

std::filesystem::path proc_dir(pid_t pid) {
  return std::filesystem::path("/proc") / std::to_string(pid);
}

// The direct children of `pid`, from every thread's `children` file (a
// child belongs to the thread that forked it). Empty if `pid` is gone.
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> children;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(proc_dir(pid) / "task", error)) {
    std::ifstream file(task.path() / "children");
    pid_t child = 0;
    while (file >> child) children.push_back(child);
  }
  return children;
}

// Every process below `pid`, recursively.
std::vector<pid_t> descendants_of(pid_t pid) {
  std::vector<pid_t> found = children_of(pid);
  for (std::size_t i = 0; i < found.size(); ++i) {
    const auto more = children_of(found[i]);
    found.insert(found.end(), more.begin(), more.end());
  }
  return found;
}

bool is_descendant(pid_t ancestor, pid_t pid) {
  const auto below = descendants_of(ancestor);
  return std::find(below.begin(), below.end(), pid) != below.end();
}

// The state letter of /proc/PID/stat ('R', 'S', 'Z', ...); nullopt once the
// process is gone (reaped).
std::optional<char> process_state(pid_t pid) {
  std::ifstream stat(proc_dir(pid) / "stat");
  std::string text;
  if (!std::getline(stat, text)) return std::nullopt;
  const auto paren = text.rfind(')');  // the command name may hold anything
  if (paren == std::string::npos || paren + 2 >= text.size()) return std::nullopt;
  return text[paren + 2];
}

// The zombies below `pid`, as "PID" strings for a readable failure.
std::vector<std::string> zombies_below(pid_t pid) {
  std::vector<std::string> zombies;
  for (const pid_t child : descendants_of(pid))
    if (process_state(child) == 'Z') zombies.push_back(std::to_string(child));
  return zombies;
}

std::size_t task_count(pid_t pid) {
  std::size_t count = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator it(proc_dir(pid) / "task", error), end;
       !error && it != end; it.increment(error))
    ++count;
  return count;
}

// The name (comm) of every thread of `pid`.
std::multiset<std::string> thread_names(pid_t pid) {
  std::multiset<std::string> names;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(proc_dir(pid) / "task", error)) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (std::getline(comm, name)) names.insert(name);
  }
  return names;
}

// Polls a /proc condition until it holds; false if `timeout` passes first.
// (Nothing can be waited on for a thread or process to vanish, so this
// looks again every few milliseconds, within a bounded time.)
template <typename Condition>
bool poll_until(Condition holds, Timeout timeout = kWait) {
  const Deadline deadline(timeout);
  while (!holds()) {
    if (deadline.expired()) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// ---- descriptor limits -------------------------------------------------

// Raises the soft RLIMIT_NOFILE of `pid` (0: this process) to at least
// `wanted`, within the hard limit; returns the soft limit now in force.
rlim_t raise_fd_limit(pid_t pid, rlim_t wanted) {
  rlimit limit{};
  if (::prlimit(pid, RLIMIT_NOFILE, nullptr, &limit) != 0) return 0;
  if (limit.rlim_cur < wanted && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    if (::prlimit(pid, RLIMIT_NOFILE, &limit, nullptr) != 0) return 0;
  }
  ::prlimit(pid, RLIMIT_NOFILE, nullptr, &limit);
  return limit.rlim_cur;
}

// ---- line echo -----------------------------------------------------------

// Sends `text` as a line and returns what the server put before it (the
// expanded prefix without its trailing space); nullopt if the reply is not
// "<word> text\n".
std::optional<std::string> prefix_of_reply(Client& client, const std::string& text,
                                           Timeout timeout = kWait) {
  if (client.write_all(text + "\n", timeout) != IoStatus::ok) return std::nullopt;
  const std::string reply = client.read_line(timeout);
  const auto space = reply.find(' ');
  if (space == 0 || space == std::string::npos || reply.substr(space + 1) != text + "\n")
    return std::nullopt;
  return reply.substr(0, space);
}

// "<listener>#<digits>": a connection thread of the thread model.
bool is_connection_thread(const std::string& name, const std::string& listener) {
  const std::string prefix = listener + "#";
  return name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
         std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; });
}

// ---- fork ----------------------------------------------------------------

std::string fork_config() {
  return make_config({{.name = "forked", .model = "fork", .mode = "line", .prefix = "{pid} "}});
}

// The log line the fork master writes when a connection process dies by a
// signal it did not send.
std::string killed_line(pid_t pid) {
  return "connection process " + std::to_string(pid) +
         R"( was killed by signal 9 \(Killed\); the listener carries on)";
}

// The pid of the connection process serving `client`, checked to be a
// process below the daemon (so that killing it can hit nothing else).
std::optional<pid_t> serving_pid(const Daemon& daemon, Client& client, const std::string& text) {
  const auto prefix = prefix_of_reply(client, text);
  if (!prefix || prefix->empty() ||
      !std::all_of(prefix->begin(), prefix->end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  const pid_t pid = static_cast<pid_t>(std::stol(*prefix));
  if (pid == daemon.pid() || !is_descendant(daemon.pid(), pid)) return std::nullopt;
  return pid;
}

TEST(ForkModel, KilledConnectionProcessEndsOnlyItsConnection) {
  Daemon daemon(fork_config());
  const auto port = daemon.port_of("forked");
  std::vector<Client> clients;
  std::vector<pid_t> pids;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(Client::connect(port));
    const auto pid = serving_pid(daemon, clients.back(), "hello " + std::to_string(i));
    ASSERT_TRUE(pid) << "client " << i << " was not served by a process below the daemon";
    pids.push_back(*pid);
  }
  ASSERT_EQ(std::set<pid_t>(pids.begin(), pids.end()).size(), pids.size())
      << "two connections share a process";

  const pid_t victim = pids[1];
  const auto mark = daemon.log_mark();
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  EXPECT_EQ(clients[1].wait_closed(kWait), IoStatus::closed);
  daemon.wait_for_line(killed_line(victim), kWait, mark);
  // The line is written after waitpid(): the process must be gone for good.
  EXPECT_EQ(process_state(victim), std::nullopt) << "process " << victim << " not reaped";
  EXPECT_EQ(zombies_below(daemon.pid()), std::vector<std::string>{});

  for (const std::size_t i : {0u, 2u, 3u})
    EXPECT_EQ(prefix_of_reply(clients[i], "still here"), std::to_string(pids[i]))
        << "client " << i << " lost its connection process";
  auto fresh = Client::connect(port);
  EXPECT_TRUE(serving_pid(daemon, fresh, "new one")) << "a new connection was not served";
  EXPECT_EQ(daemon.wait_exit(Timeout{0}), std::nullopt) << "the daemon exited";
  expect_no_sanitizer_reports(daemon);
}

// Echoes on one connection from a thread of its own, a little apart, until
// stopped; records the first wrong reply. Owns its client.
class SteadyEcho {
 public:
  // Replies must read "<prefix> tick N\n".
  SteadyEcho(Client client, std::string prefix)
      : client_(std::move(client)), prefix_(std::move(prefix)), thread_([this] { run(); }) {}
  ~SteadyEcho() { stop(); }
  SteadyEcho(const SteadyEcho&) = delete;
  SteadyEcho& operator=(const SteadyEcho&) = delete;

  std::uint64_t exchanges() const {
    std::lock_guard lock(mutex_);
    return exchanges_;
  }

  // Waits until more than `count` exchanges have succeeded; false on a
  // failure or timeout.
  bool wait_past(std::uint64_t count, Timeout timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      return exchanges_ > count || !failure_.empty();
    }) && failure_.empty();
  }

  // Stops and joins the thread; returns the first failure ("" if none).
  std::string stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
    return failure_;
  }

 private:
  // Keeps the load modest on a shared machine; stop() cuts the gap short.
  static constexpr auto kGap = 2ms;

  void run() {
    for (std::uint64_t n = 0;; ++n) {
      const std::string text = "tick " + std::to_string(n);
      const auto prefix = prefix_of_reply(client_, text);
      std::unique_lock lock(mutex_);
      if (prefix != prefix_) {
        failure_ = "exchange " + std::to_string(n) + " failed (" +
                   to_string(client_.last_status()) + ", prefix " + prefix.value_or("none") + ")";
        changed_.notify_all();
        return;
      }
      ++exchanges_;
      changed_.notify_all();
      if (changed_.wait_for(lock, kGap, [this] { return stopping_; })) return;
    }
  }

  Client client_;
  const std::string prefix_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t exchanges_ = 0;
  std::string failure_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest is built
};

TEST(ForkModel, ListenerCarriesOnThroughRepeatedKills) {
  constexpr int kKills = 20;
  Daemon daemon(fork_config());
  const auto port = daemon.port_of("forked");
  auto steady_client = Client::connect(port);
  const auto steady_pid = serving_pid(daemon, steady_client, "first");
  ASSERT_TRUE(steady_pid);
  SteadyEcho steady(std::move(steady_client), std::to_string(*steady_pid));

  const auto mark = daemon.log_mark();
  for (int kill = 0; kill < kKills; ++kill) {
    auto victim = Client::connect(port);
    const auto pid = serving_pid(daemon, victim, "victim " + std::to_string(kill));
    ASSERT_TRUE(pid) << "kill " << kill << ": new connection not served";
    ASSERT_NE(*pid, *steady_pid);
    ASSERT_EQ(::kill(*pid, SIGKILL), 0);
    ASSERT_EQ(victim.wait_closed(kWait), IoStatus::closed) << "kill " << kill;
    daemon.wait_for_line(killed_line(*pid), kWait, mark);
    ASSERT_TRUE(steady.wait_past(steady.exchanges(), kWait))
        << "kill " << kill << ": the steady client stopped echoing";
  }
  EXPECT_EQ(steady.stop(), "");
  EXPECT_EQ(zombies_below(daemon.pid()), std::vector<std::string>{});
  EXPECT_EQ(daemon.log().count("was killed by signal 9", mark), static_cast<std::size_t>(kKills));
  auto fresh = Client::connect(port);
  EXPECT_TRUE(serving_pid(daemon, fresh, "after the kills"));
  EXPECT_EQ(daemon.wait_exit(Timeout{0}), std::nullopt) << "the daemon exited";
  expect_no_sanitizer_reports(daemon);
}

// ---- thread --------------------------------------------------------------

TEST(ThreadModel, FiveHundredConnectionsEachOnANamedThread) {
  constexpr int kClients = 500;
  ASSERT_GE(raise_fd_limit(0, 2048), static_cast<rlim_t>(kClients + 100))
      << "this process cannot open enough descriptors";
  Daemon daemon(
      make_config({{.name = "echo", .model = "thread", .mode = "line", .prefix = "{thread} "}}));
  ASSERT_GE(raise_fd_limit(daemon.pid(), 2048), static_cast<rlim_t>(kClients + 100));
  const auto port = daemon.port_of("echo");
  const std::size_t baseline = task_count(daemon.pid());

  std::vector<Client> clients;
  clients.reserve(kClients);
  for (int i = 0; i < kClients; ++i) clients.push_back(Client::connect(port));
  // All write before any reads: every connection is open and busy at once.
  for (int i = 0; i < kClients; ++i)
    ASSERT_EQ(clients[static_cast<std::size_t>(i)].write_all("hello " + std::to_string(i) + "\n"),
              IoStatus::ok);
  std::set<std::string> names;
  for (int i = 0; i < kClients; ++i) {
    auto& client = clients[static_cast<std::size_t>(i)];
    const std::string reply = client.read_line();
    const std::string name = reply.substr(0, reply.find(' '));
    ASSERT_EQ(reply, name + " hello " + std::to_string(i) + "\n") << "client " << i;
    ASSERT_TRUE(is_connection_thread(name, "echo")) << "client " << i << ": " << reply;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kClients)) << "connections share threads";
  const auto running = thread_names(daemon.pid());
  for (const auto& name : names) EXPECT_EQ(running.count(name), 1u) << name;
  EXPECT_EQ(task_count(daemon.pid()), baseline + kClients);

  clients.clear();
  EXPECT_TRUE(poll_until([&] { return task_count(daemon.pid()) == baseline; }))
      << task_count(daemon.pid()) << " threads left, " << baseline << " before the clients";
  const auto left = thread_names(daemon.pid());
  EXPECT_EQ(
      std::count_if(left.begin(), left.end(),
                    [](const std::string& name) { return is_connection_thread(name, "echo"); }),
      0);
  // Still serving.
  auto fresh = Client::connect(port);
  EXPECT_TRUE(prefix_of_reply(fresh, "again"));
  expect_no_sanitizer_reports(daemon);
}

// ---- select --------------------------------------------------------------

// The first words of the select model's "fd at or above FD_SETSIZE" warning.
constexpr const char* kCeilingWarning =
    "connection's file descriptor is at or above FD_SETSIZE (1024), which select(2) cannot watch; "
    "refusing connections";

// Waits for a reply to `message`; the daemon may still be closing the
// connections it refused, so a new one may be refused too: retry.
std::optional<Client> connect_served(std::uint16_t port, const Deadline& deadline) {
  while (!deadline.expired()) {
    auto attempt = Client::try_connect(port, deadline.remaining());
    if (attempt.client && attempt.client->exchange("fresh", deadline.remaining()) == "fresh")
      return std::move(attempt.client);
  }
  return std::nullopt;
}

TEST(SelectModel, ConnectionsBeyondFdSetSizeAreRefusedOncePerBurst) {
  constexpr std::size_t kClients = 1200;
  constexpr rlim_t kFdsWanted = 4096;
  ASSERT_GE(raise_fd_limit(0, kFdsWanted), kClients + 100)
      << "this process cannot open enough descriptors";
  // max_connections above the ceiling, so that only the descriptor numbers
  // turn connections away.
  Daemon daemon(make_config({{.name = "sel", .model = "select"}}, {"max_connections: 1500"}));
  if (raise_fd_limit(daemon.pid(), kFdsWanted) < kClients + 100)
    GTEST_SKIP() << "the daemon's RLIMIT_NOFILE cannot be raised above " << kClients + 100;
  const auto port = daemon.port_of("sel");

  const auto mark = daemon.log_mark();
  std::vector<Client> clients;
  clients.reserve(kClients);
  for (std::size_t i = 0; i < kClients; ++i) clients.push_back(Client::connect(port));

  // The first refusal names its descriptor and peer: the client at that
  // address is the first one refused (the accept queue is first in, first out).
  const auto first_refusal = daemon.wait_for_line(
      std::string(regex_escape(kCeilingWarning)) +
          R"(.*: fd (\d+) from 127\.0\.0\.1:(\d+) \(further occurrences are counted, not logged\))",
      kWait, mark);
  EXPECT_GE(std::stoi(first_refusal.groups.at(1)), 1024);
  const std::string refused_address = "127.0.0.1:" + first_refusal.groups.at(2);
  const auto first_refused = static_cast<std::size_t>(
      std::find_if(clients.begin(), clients.end(),
                   [&](const Client& c) { return c.local_address() == refused_address; }) -
      clients.begin());
  ASSERT_LT(first_refused, kClients) << "no client at " << refused_address;
  ASSERT_GT(first_refused, 900u) << "far fewer connections served than FD_SETSIZE allows";
  EXPECT_LT(first_refused, 1024u);

  // Refused: closed by the server without a word, all within one budget.
  const Deadline refusals(kLongWait);
  for (std::size_t i = first_refused; i < kClients; ++i)
    ASSERT_EQ(clients[i].wait_closed(refusals.remaining()), IoStatus::closed)
        << "client " << i << " (of the refused) was not closed";
  // Served: every one before, the first and the latest accepted alike.
  for (std::size_t i = 0; i < first_refused; ++i) {
    const std::string message = "client " + std::to_string(i);
    ASSERT_EQ(clients[i].exchange(message), message) << "client " << i << " not served";
  }
  EXPECT_EQ(daemon.log().count(kCeilingWarning, mark), 1u)
      << "refusals are logged per connection, not per burst";
  EXPECT_EQ(daemon.log().count("max_connections reached", mark), 0u);

  // Descriptors freed below the ceiling serve new clients again.
  clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(first_refused - 10),
                clients.begin() + static_cast<std::ptrdiff_t>(first_refused));
  const Deadline recovery(kWait);
  std::vector<Client> fresh;
  for (int i = 0; i < 5; ++i) {
    auto client = connect_served(port, recovery);
    ASSERT_TRUE(client) << "no new client served after closing ten (" << i << " served)";
    fresh.push_back(std::move(*client));
  }
  EXPECT_EQ(clients.front().exchange("first again"), "first again");
  EXPECT_EQ(daemon.wait_exit(Timeout{0}), std::nullopt) << "the daemon exited";
  expect_no_sanitizer_reports(daemon);
}

}  // namespace
}  // namespace netcook::test
