// Start-up and shutdown of the real daemon: the start-up log lines,
// SIGTERM/SIGINT with and without clients (once per model), and the socket
// file of a unix listener, removed when its listener goes.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "models.hpp"
#include "temp_dir.hpp"
#include "unique_fd.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

namespace netcook::test {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

TEST(Startup, LogsEveryListenerThenReady) {
  Daemon daemon(make_config({{.name = "raw-1"}, {.name = "line_2", .mode = "line"}}));
  const auto ready = daemon.wait_for_line(R"(ready: (\d+) listeners)");
  EXPECT_EQ(ready.groups.at(1), "2") << ready.line;
  for (const char* name : {"raw-1", "line_2"}) {
    const auto line = daemon.wait_for_line(
        std::string("listener ") + name +
        R"(: echo/epoll on 127\.0\.0\.1:([1-9]\d*)\s*$)");
    EXPECT_LT(line.index, ready.index) << line.line;
  }
}

// A stop reads as it happens: no longer accepting, then what each listener
// drains, in its own log and with the timeout as the configuration writes
// it, then what was still open when the time ran out.
TEST(Shutdown, LinesTellTheStoryInOrder) {
  Daemon daemon(make_config({{.name = "a"}, {.name = "b"}}, {"shutdown_timeout: 1500ms"}));
  auto client = Client::connect(daemon.port_of("a"));
  ASSERT_EQ(client.exchange("hi"), "hi");
  const auto mark = daemon.log_mark();
  daemon.send_signal(SIGTERM);
  const auto stopping =
      daemon.wait_for_line("shutting down: no longer accepting; 1 connection\\(s\\) open", kWait, mark);
  const auto draining = daemon.wait_for_line(
      R"(info \[a\] listener a: draining 1 connection\(s\) for up to 1s500ms$)", kWait, mark);
  const auto closing = daemon.wait_for_line(
      R"(info \[a\] listener a: closing 1 connection\(s\) after shutdown_timeout \(1s500ms\)$)",
      kWait, mark);
  EXPECT_LT(stopping.index, draining.index);
  EXPECT_LT(draining.index, closing.index);
  EXPECT_FALSE(daemon.find_line("listener b: draining", mark)) << "b had nothing to drain";
  EXPECT_EQ(daemon.wait_exit(kWait), 0);
}

class Shutdown : public ::testing::TestWithParam<std::string> {};

TEST_P(Shutdown, SigtermClosesIdleClientAfterShutdownTimeout) {
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}},
                            {"shutdown_timeout: 1s"}));
  auto client = Client::connect(daemon.port_of("echo"));
  ASSERT_EQ(client.exchange("hi"), "hi");

  const auto start = Clock::now();
  daemon.send_signal(SIGTERM);
  const auto status = daemon.wait_exit(kWait);
  const auto elapsed = duration_cast<milliseconds>(Clock::now() - start);
  EXPECT_EQ(status, 0);
  EXPECT_LT(elapsed.count(), 5000) << "shutdown_timeout is 1s";
  EXPECT_EQ(client.wait_closed(kWait), IoStatus::closed);
}

// While draining, live connections keep being served, new ones are
// refused, and the daemon exits as soon as the last client leaves.
TEST_P(Shutdown, LiveConnectionsAreServedUntilTheyClose) {
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}},
                            {"shutdown_timeout: 60s"}));
  const auto port = daemon.port_of("echo");
  auto first = Client::connect(port);
  auto second = Client::connect(port);
  ASSERT_EQ(first.exchange("one"), "one");
  ASSERT_EQ(second.exchange("two"), "two");

  const auto mark = daemon.log_mark();
  daemon.send_signal(SIGTERM);
  daemon.wait_for_line("shutting down: no longer accepting", kWait, mark);
  EXPECT_EQ(first.exchange("still one"), "still one");
  EXPECT_EQ(second.exchange("still two"), "still two");
  auto late = Client::try_connect(port);
  EXPECT_FALSE(late.client.has_value()) << "accepted a connection while draining";

  first.shutdown_both();
  EXPECT_EQ(second.exchange("last"), "last");
  EXPECT_EQ(daemon.wait_exit(Timeout{0}), std::nullopt) << "exited with a client left";
  second.shutdown_both();
  // Well before the 60 s shutdown_timeout: the drain ends with the clients.
  EXPECT_EQ(daemon.wait_exit(kWait), 0);
}

TEST_P(Shutdown, SigtermWithoutClientsExitsPromptly) {
  // The default shutdown_timeout (10s) must not be waited for in vain.
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}}));
  const auto start = Clock::now();
  daemon.send_signal(SIGTERM);
  const auto status = daemon.wait_exit(kWait);
  const auto elapsed = duration_cast<milliseconds>(Clock::now() - start);
  EXPECT_EQ(status, 0);
  EXPECT_LT(elapsed.count(), 5000);
}

TEST_P(Shutdown, SigintWithoutClientsExitsPromptly) {
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}}));
  const auto start = Clock::now();
  daemon.send_signal(SIGINT);
  const auto status = daemon.wait_exit(kWait);
  const auto elapsed = duration_cast<milliseconds>(Clock::now() - start);
  EXPECT_EQ(status, 0);
  EXPECT_LT(elapsed.count(), 5000);
}

TEST_P(Shutdown, ClientThatClosedDuringServiceDoesNotDelayExit) {
  Daemon daemon(make_config({{.name = "echo", .model = GetParam()}}));
  {
    auto client = Client::connect(daemon.port_of("echo"));
    ASSERT_EQ(client.exchange("bye"), "bye");
  }
  const auto start = Clock::now();
  daemon.send_signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(kWait), 0);
  EXPECT_LT(duration_cast<milliseconds>(Clock::now() - start).count(), 5000)
      << "a closed connection was waited for until shutdown_timeout (10s)";
}

INSTANTIATE_TEST_SUITE_P(Models, Shutdown, kAllModels, model_name);

bool is_socket_file(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) throw std::runtime_error("unix path too long");
  path.copy(address.sun_path, path.size());
  return address;
}

// A unix socket bound at `path`; listening unless `listen` is false.
UniqueFd unix_socket_at(const std::string& path, bool listen) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_un address = unix_address(path);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      (listen && ::listen(fd.get(), 4) != 0))
    throw std::runtime_error("cannot bind " + path);
  return fd;
}

// Connects to the unix socket at `path`, sends `text` and returns what
// comes back within kWait (as much as `text`'s length, or less on EOF).
std::string unix_exchange(const std::string& path, const std::string& text) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_un address = unix_address(path);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::send(fd.get(), text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size()))
    return "(cannot connect or send)";
  std::string echoed;
  char buffer[256];
  while (echoed.size() < text.size()) {
    pollfd readable{fd.get(), POLLIN, 0};
    if (::poll(&readable, 1, static_cast<int>(kWait.count())) != 1) break;
    const ssize_t got = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (got <= 0) break;
    echoed.append(buffer, static_cast<std::size_t>(got));
  }
  return echoed;
}

class UnixSocket : public ::testing::TestWithParam<std::string> {};

TEST_P(UnixSocket, ServesAndItsFileIsRemovedAtExit) {
  const TempDir dir;
  const std::string path = dir.file("echo.sock");
  Daemon daemon(make_config({{.name = "echo", .model = GetParam(), .listen = "unix:" + path}}));
  ASSERT_TRUE(is_socket_file(path));
  EXPECT_EQ(unix_exchange(path, "over unix\n"), "over unix\n");
  daemon.send_signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(kWait), 0);
  EXPECT_FALSE(is_socket_file(path)) << path << " was left behind";
}

TEST_P(UnixSocket, ReloadRemovesTheFileOfADroppedListenerOnly) {
  const TempDir dir;
  const std::string kept = dir.file("kept.sock");
  const std::string dropped = dir.file("dropped.sock");
  const EchoListener keep{.name = "keep", .model = GetParam(), .listen = "unix:" + kept};
  Daemon daemon(make_config({keep, {.name = "drop", .model = GetParam(), .listen = "unix:" + dropped}}));
  ASSERT_TRUE(is_socket_file(kept) && is_socket_file(dropped));

  daemon.write_config(make_config({keep}));
  const auto mark = daemon.log_mark();
  daemon.send_signal(SIGHUP);
  daemon.wait_for_line("reload done:", kWait, mark);
  EXPECT_FALSE(is_socket_file(dropped)) << "the dropped listener's file was left behind";
  ASSERT_TRUE(is_socket_file(kept)) << "the kept listener's file was removed";
  EXPECT_EQ(unix_exchange(kept, "still here\n"), "still here\n");
}

// Someone replaced the file while the daemon ran: it is theirs now.
TEST(UnixSocketFile, AFileThatReplacedTheSocketIsNotRemoved) {
  const TempDir dir;
  const std::string path = dir.file("echo.sock");
  Daemon daemon(make_config({{.name = "echo", .listen = "unix:" + path}}));
  ASSERT_EQ(::unlink(path.c_str()), 0);
  dir.write_file("echo.sock", "not a socket\n");
  daemon.send_signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(kWait), 0);
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << "the replacing file was removed";
}

// A socket file left by a process that is gone is replaced; one that a
// running process listens on is not taken from it.
TEST(UnixSocketFile, AStaleSocketIsReplaced) {
  const TempDir dir;
  const std::string path = dir.file("echo.sock");
  unix_socket_at(path, false);  // bound, closed: the file stays, nobody listens
  ASSERT_TRUE(is_socket_file(path));
  Daemon daemon(make_config({{.name = "echo", .listen = "unix:" + path}}));
  EXPECT_EQ(unix_exchange(path, "fresh\n"), "fresh\n");
}

TEST(UnixSocketFile, ASocketSomeoneListensOnIsNotTaken) {
  const TempDir dir;
  const std::string path = dir.file("echo.sock");
  const UniqueFd theirs = unix_socket_at(path, true);
  Daemon daemon(make_config({{.name = "echo", .listen = "unix:" + path}}),
                DaemonOptions{.wait_ready = false});
  EXPECT_EQ(daemon.wait_exit(kWait), 1);
  EXPECT_TRUE(daemon.find_line(regex_escape(path) + " is in use: another process listens on it"))
      << daemon.log().text();
  // Still theirs: a client reaches their socket.
  UniqueFd client(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_un address = unix_address(path);
  EXPECT_EQ(::connect(client.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
}

INSTANTIATE_TEST_SUITE_P(Models, UnixSocket, kAllModels, model_name);

}  // namespace
}  // namespace netcook::test
