// A socket-activated listening socket shut down from outside (issue 16,
// item 3). Whoever else holds a passed socket (systemd, or here the test)
// can shutdown(2) it; the kernel then takes it out of the listening state
// for good, and every accept(2) on it fails with EINVAL, while poll, select
// and epoll keep reporting it (POLLHUP). An unexpected accept error must be
// handled the same under every model: logged once, the listener backs off
// and retries, never a busy loop, and the daemon's other listeners keep
// serving. Under each model the test passes the socket in exactly as
// systemd does (fd 3, LISTEN_FDS, LISTEN_FDNAMES, LISTEN_PID), keeps its own
// copy, shuts it down, and measures the CPU time of the daemon and all its
// processes (the fork model's listener lives in the fork master) over 2 s.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "models.hpp"
#include "proc_tree.hpp"
#include "unique_fd.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <system_error>
#include <thread>

namespace netcook::test {
namespace {

using namespace std::chrono_literals;

// The window over which CPU time is measured, and the most the daemon may
// use in it: 5% of one core. A daemon that spins on accept(2) uses a whole
// core (95-100%); one that backs off, well under 1%.
constexpr std::chrono::milliseconds kWindow = 2s;
constexpr double kMaxCpuShare = 0.05;
// Exchanges with `other` spread over the window, and after it.
constexpr int kExchangesDuring = 4;
constexpr int kExchangesAfter = 3;
// "accept failed" lines allowed: the failure once (a BurstLog line), with
// room for a burst summary; never one per retry.
constexpr std::size_t kMaxFailureLines = 3;

// A TCP socket listening on 127.0.0.1 at a port the kernel picks; the
// descriptor is close-on-exec (the daemon gets its own copy at fd 3, see
// DaemonOptions::fd3).
UniqueFd listening_socket() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = 0;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&in), sizeof in) != 0 ||
      ::listen(fd.get(), SOMAXCONN) != 0)
    throw std::system_error(errno, std::generic_category(), "listening socket on 127.0.0.1:0");
  return fd;
}

std::uint16_t port_of_socket(int fd) {
  sockaddr_in in{};
  socklen_t length = sizeof in;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&in), &length) != 0)
    throw std::system_error(errno, std::generic_category(), "getsockname");
  return ntohs(in.sin_port);
}

std::string loopback(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

// netcookd started as systemd starts a socket-activated service: `socket`
// at fd 3, LISTEN_FDS=1 and LISTEN_FDNAMES=`name` in the environment, and
// LISTEN_PID the daemon's own pid. The pid is only known once forked, so a
// shell sets it: `$$` is the shell's pid, which exec hands on to netcookd
// ("$0" is netcookd, "$@" its "-c FILE").
DaemonOptions activated(int socket, const std::string& name) {
  return DaemonOptions{
      .env = {"LISTEN_FDS=1", "LISTEN_FDNAMES=" + name},
      .command_prefix = {"/bin/sh", "-c", "export LISTEN_PID=$$; exec \"$0\" \"$@\""},
      .fd3 = socket,
  };
}

// CPU ticks (user + system, all threads) of the daemon and every process
// under it, by pid.
std::map<pid_t, long> tree_cpu(pid_t daemon) {
  std::map<pid_t, long> ticks{{daemon, cpu_ticks(daemon)}};
  for (const pid_t pid : descendants_of(daemon)) ticks[pid] = cpu_ticks(pid);
  return ticks;
}

// The CPU the tree used between two snapshots: what each process present
// at the end used since the start (all of it for a process born since).
// A process that ended meanwhile (a fork connection) drops out; it did not
// serve the shut-down socket.
long ticks_between(const std::map<pid_t, long>& start, const std::map<pid_t, long>& end) {
  long used = 0;
  for (const auto& [pid, ticks] : end) {
    const auto before = start.find(pid);
    used += ticks - (before == start.end() ? 0 : before->second);
  }
  return used;
}

// The share of one CPU that `ticks` of CPU time over `wall` amount to.
double cpu_share(long ticks, Clock::duration wall) {
  const double seconds = std::chrono::duration<double>(wall).count();
  return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK)) / seconds;
}

// `other` still echoes: once on the connection held since before the
// shutdown, once on a new one (its accept path is not stuck either).
void expect_echoes(Client& held, std::uint16_t port, const std::string& message) {
  EXPECT_EQ(held.exchange(message), message) << "`other` stopped echoing on a held connection";
  auto fresh = Client::try_connect(port);
  ASSERT_TRUE(fresh.client) << "`other` refused a new connection: " << std::strerror(fresh.error);
  EXPECT_EQ(fresh.client->exchange(message), message) << "`other` stopped serving";
}

class ListeningShutdown : public ::testing::TestWithParam<std::string> {};

// `gated` (the model under test) serves the passed socket; `other` (epoll)
// binds its own. After the test shuts `gated`'s socket down, the daemon
// logs the failure once and does not spin, and `other` keeps serving.
TEST_P(ListeningShutdown, AcceptFailingForeverNeitherSpinsNorFloodsTheLog) {
  const std::string model = GetParam();
  const UniqueFd socket = listening_socket();
  const std::uint16_t port = port_of_socket(socket.get());
  // `gated` is on the socket's address as well as named after it: it takes
  // the socket by name, and binds nothing. The daemon holds its own
  // descriptor of the socket; `socket` stays the test's copy.
  Daemon daemon(
      make_config({{.name = "gated", .model = model, .listen = loopback(port)}, {.name = "other"}},
                  {"shutdown_timeout: 1s"}),
      activated(socket.get(), "gated"));
  // Also proves LISTEN_PID right: sd_listen_fds() ignores the rest if not.
  ASSERT_TRUE(daemon.find_line("listener gated: echo/" + model + " on " +
                               regex_escape(loopback(port)) + " \\(socket-activated\\)$"))
      << "the passed socket was not taken";
  const std::uint16_t other_port = daemon.port_of("other");
  ASSERT_NE(other_port, port);
  {
    auto gated = Client::connect(port);
    ASSERT_EQ(gated.exchange("gated"), "gated") << "`gated` does not serve the passed socket";
  }
  auto held = Client::connect(other_port);
  ASSERT_EQ(held.exchange("before"), "before");

  // SHUT_RD (part of SHUT_RDWR) on a listening TCP socket disconnects it:
  // it stops listening, its pending connections are reset, and new ones are
  // refused, as the kernel unhashed it. No connection is needed to wake the
  // daemon up: shutdown(2) itself wakes every waiter on the socket (a
  // blocked accept, poll, select, epoll), and from then on it polls as
  // POLLHUP for good. Waiting for the log line is the synchronisation: the
  // daemon has met the failure when the window starts.
  const auto mark = daemon.log_mark();
  ASSERT_EQ(::shutdown(socket.get(), SHUT_RDWR), 0) << std::strerror(errno);
  daemon.wait_for_line("accept failed", kWait, mark);

  // The window: a measurement, not a wait for something, so fixed 2 s, with
  // `other` exercised at even points inside it.
  const auto start = Clock::now();
  const auto cpu_start = tree_cpu(daemon.pid());
  for (int i = 1; i <= kExchangesDuring; ++i) {
    std::this_thread::sleep_until(start + kWindow * i / (kExchangesDuring + 1));
    expect_echoes(held, other_port, "during " + std::to_string(i));
  }
  std::this_thread::sleep_until(start + kWindow);
  const long used = ticks_between(cpu_start, tree_cpu(daemon.pid()));
  const auto wall = Clock::now() - start;
  const double share = cpu_share(used, wall);
  std::cout << "[ info     ] " << model << ": " << used << " ticks of CPU in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(wall).count() << " ms ("
            << share * 100 << "% of one core) with the listening socket shut down\n";
  EXPECT_LT(share, kMaxCpuShare) << "the daemon spins on the shut-down listening socket";

  for (int i = 1; i <= kExchangesAfter; ++i)
    expect_echoes(held, other_port, "after " + std::to_string(i));
  const std::size_t failures = daemon.log().count("accept failed", mark);
  EXPECT_GE(failures, 1u);
  EXPECT_LE(failures, kMaxFailureLines) << "the accept failure is logged per retry";

  held.shutdown_both();  // nothing left to drain at the stop
  daemon.send_signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(kWait), 0) << "no clean exit on SIGTERM";
  expect_no_sanitizer_reports(daemon);
}

INSTANTIATE_TEST_SUITE_P(Models, ListeningShutdown, kAllModels, model_name);

}  // namespace
}  // namespace netcook::test
