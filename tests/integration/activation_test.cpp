// Socket activation through systemd-socket-activate (Debian's systemd
// package, no PID 1 needed): it binds and listens, and on the first
// connection execs netcookd with the sockets at fd 3, 4, ... and
// LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES set, as a .socket unit would. Named
// sockets for two listeners next to a third the daemon binds itself (every
// model), a dual-stack [::]:PORT matched by address, the refusals (a socket
// no listener takes, a socket that is not a listening stream socket),
// reloads that keep and give back the activated sockets, and the fork
// model's processes holding no socket they were not sent.

#include "chat_room.hpp"
#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "models.hpp"
#include "proc_tree.hpp"
#include "process.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace netcook::test {
namespace {

// The tests fail, not skip, without it: CI must run them.
std::string socket_activate_binary() {
  static const auto path = find_program("systemd-socket-activate");
  if (!path)
    throw std::runtime_error(
        "systemd-socket-activate is not in PATH: install Debian's systemd package");
  return *path;
}

// A port nothing on 127.0.0.1 uses right now (of `type`), below the
// ephemeral range so that daemons binding port 0 meanwhile never get it.
// systemd-socket-activate binds it a moment later; if someone took it in
// between, it fails loudly and ActivatedDaemon tries other ports.
std::uint16_t unused_port(int type = SOCK_STREAM) {
  static std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<int> pick(20'000, 32'000);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto port = static_cast<std::uint16_t>(pick(random));
    UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&in), sizeof in) == 0) return port;
  }
  throw std::runtime_error("no free port found in 20000-32000");
}

std::string loopback(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

// One socket for systemd-socket-activate to pass.
struct Passed {
  std::string name = "unknown";  // FileDescriptorName=; "unknown" is none
  // "-l PORT" (dual-stack [::]:PORT, like ListenStream=PORT) instead of
  // "-l 127.0.0.1:PORT".
  bool every_address = false;
};

struct ActivationOptions {
  bool datagram = false;  // "-d": every socket is a datagram socket
};

using ConfigFor = std::function<std::string(const std::vector<std::uint16_t>& ports)>;

// netcookd under systemd-socket-activate, which listens on `passed` (on
// ports chosen here; the configuration is made for them) and waits for the
// first connection (trigger()) before it execs the daemon.
class ActivatedDaemon {
 public:
  ActivatedDaemon(const std::vector<Passed>& passed, const ConfigFor& config,
                  ActivationOptions options = {}) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      ports_.clear();
      for (std::size_t i = 0; i < passed.size(); ++i)
        ports_.push_back(unused_port(options.datagram ? SOCK_DGRAM : SOCK_STREAM));
      daemon_.emplace(config(ports_), DaemonOptions{.command_prefix = prefix(passed, options),
                                                    .wait_ready = false});
      if (listening(passed.size())) return;
      daemon_.reset();  // a port was taken meanwhile: other ports
    }
    throw std::runtime_error("systemd-socket-activate did not listen after 5 attempts");
  }

  Daemon& daemon() { return *daemon_; }
  std::uint16_t port(std::size_t i) const { return ports_.at(i); }

  // The first connection, to passed socket `i`: systemd-socket-activate
  // execs netcookd, which accepts it once ready (it waits in the backlog).
  Client trigger(std::size_t i = 0) {
    auto client = Client::connect(port(i));
    daemon_->wait_for_line("Execing ");
    return client;
  }

 private:
  std::vector<std::string> prefix(const std::vector<Passed>& passed, ActivationOptions options) {
    std::vector<std::string> argv = {socket_activate_binary()};
    if (options.datagram) argv.push_back("-d");
    std::string names;
    for (std::size_t i = 0; i < passed.size(); ++i) {
      argv.push_back("-l");
      argv.push_back(passed[i].every_address ? std::to_string(ports_[i]) : loopback(ports_[i]));
      names += (i == 0 ? "" : ":") + passed[i].name;
    }
    argv.push_back("--fdname=" + names);
    argv.push_back("--");
    return argv;
  }

  // Waits for "Listening on ADDRESS as FD." for every socket; false if
  // systemd-socket-activate gave up instead (it exits).
  bool listening(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      const std::regex line("Listening on \\S+ as " + std::to_string(3 + i) + "\\.");
      if (!daemon_->log().wait_for(line, kWait)) {
        if (daemon_->wait_exit(Timeout{2000})) return false;
        throw std::runtime_error("systemd-socket-activate is not listening:\n" +
                                 daemon_->log().text());
      }
    }
    return true;
  }

  std::vector<std::uint16_t> ports_;
  std::optional<Daemon> daemon_;
};

// "listener NAME: PROTOCOL/MODEL on ADDRESS (socket-activated)" as a regex.
std::string activated_line(const std::string& name, const std::string& what,
                           const std::string& address) {
  return "listener " + name + ": " + what + " on " + regex_escape(address) +
         " \\(socket-activated\\)$";
}

std::string welcome_line() {
  return "* welcome to netcookd chat; send your name (/help for commands)\n";
}

// ---- (a) named sockets for two listeners, a third binds its own --------

class Activation : public ::testing::TestWithParam<std::string> {};

TEST_P(Activation, NamedSocketsForTwoListenersAndOneBindsItsOwn) {
  const std::string model = GetParam();
  ActivatedDaemon a({{.name = "echo"}, {.name = "room"}}, [&](const auto& ports) {
    return make_chat_config({{.name = "room", .model = model, .listen = loopback(ports[1])}}, {},
                            {{.name = "echo", .model = model, .listen = loopback(ports[0])},
                             {.name = "own", .model = model, .mode = "line"}});
  });
  auto first = a.trigger(0);
  Daemon& d = a.daemon();
  d.wait_for_line("ready: 3 listeners");

  // On exactly the passed addresses, and said so; the third on its own.
  EXPECT_TRUE(d.find_line(activated_line("echo", "echo/" + model, loopback(a.port(0)))));
  EXPECT_TRUE(d.find_line(activated_line("room", "chat/" + model, loopback(a.port(1)))));
  const auto own = d.find_line("listener own: echo/" + model + " on 127.0.0.1:(\\d+)$");
  ASSERT_TRUE(own) << "the third listener did not bind its own socket";
  const auto own_port = static_cast<std::uint16_t>(std::stoul(own->groups.at(1)));
  EXPECT_NE(own_port, a.port(0));
  EXPECT_NE(own_port, a.port(1));
  EXPECT_FALSE(d.find_line("serving there, not on the configured"));

  // The connection that woke systemd-socket-activate up is served too.
  EXPECT_EQ(first.exchange("first"), "first");
  auto room = Client::connect(a.port(1));
  EXPECT_EQ(room.read_line(), welcome_line());
  auto line = Client::connect(own_port);
  EXPECT_EQ(line.exchange("own\n"), "own\n");
}

INSTANTIATE_TEST_SUITE_P(Models, Activation, kAllModels, model_name);

TEST(ActivationByName, TheSocketUnitsAddressWinsWithAWarning) {
  ActivatedDaemon a({{.name = "web"}}, [](const auto&) {
    return make_http_config({{.name = "web", .listen = "127.0.0.1:1"}});
  });
  auto first = a.trigger(0);
  Daemon& d = a.daemon();
  d.wait_for_line("ready: 1 listener");
  const auto warning = d.find_line("listener web: systemd passed fd 3 \\(name web, " +
                                   regex_escape(loopback(a.port(0))) +
                                   "\\) by name; serving there, not on the configured "
                                   "127\\.0\\.0\\.1:1");
  ASSERT_TRUE(warning);
  // The level as the configuration spells it, not spdlog's "warning".
  EXPECT_NE(warning->line.find(" warn [netcookd] "), std::string::npos) << warning->line;
  EXPECT_TRUE(d.find_line(activated_line("web", "http/epoll", loopback(a.port(0)))));
  ASSERT_EQ(first.write_all("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            IoStatus::ok);
  EXPECT_EQ(first.read_line(), "HTTP/1.1 200 OK\r\n");
}

// ---- (b) by address: ListenStream=PORT's dual-stack [::]:PORT ----------

// The calling thread (and the processes it starts) in a network namespace
// of its own with only loopback up: the wildcard addresses these tests must
// bind ("[::]:PORT" is every interface) reach no real network. Goes back to
// the original namespace when destroyed.
class PrivateNetwork {
 public:
  PrivateNetwork() : original_(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) {
    if (!original_.valid() || ::unshare(CLONE_NEWNET) != 0) {
      error_ = std::strerror(errno);
      return;
    }
    entered_ = true;
    UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ifreq request{};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(fd.get(), SIOCGIFFLAGS, &request) != 0) {
      error_ = std::string("SIOCGIFFLAGS: ") + std::strerror(errno);
      return;
    }
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    if (::ioctl(fd.get(), SIOCSIFFLAGS, &request) != 0)
      error_ = std::string("SIOCSIFFLAGS: ") + std::strerror(errno);
  }
  ~PrivateNetwork() {
    if (entered_) ::setns(original_.get(), CLONE_NEWNET);
  }
  PrivateNetwork(const PrivateNetwork&) = delete;
  PrivateNetwork& operator=(const PrivateNetwork&) = delete;

  // Empty when the namespace is ready.
  const std::string& error() const { return error_; }

 private:
  UniqueFd original_;
  bool entered_ = false;
  std::string error_;
};

// The listener's host as written in the configuration: every address.
class ActivationByAddress : public ::testing::TestWithParam<std::string> {};

TEST_P(ActivationByAddress, AnUnnamedDualStackSocketGoesToTheListenerOnEveryAddress) {
  PrivateNetwork network;
  if (!network.error().empty())
    GTEST_SKIP() << "no private network namespace (" << network.error()
                 << "); wildcard addresses are only bound inside one";
  const std::string host = GetParam();
  ActivatedDaemon a({{.every_address = true}}, [&](const auto& ports) {
    return make_chat_config({{.name = "any", .listen = host + ":" + std::to_string(ports[0])}});
  });
  auto first = a.trigger(0);
  Daemon& d = a.daemon();
  d.wait_for_line("ready: 1 listener");
  EXPECT_TRUE(d.find_line("systemd passed 1 socket\\(s\\): fd 3 \\(name unknown, \\[::\\]:" +
                          std::to_string(a.port(0)) + ", dual stack\\)"));
  EXPECT_TRUE(
      d.find_line(activated_line("any", "chat/epoll", "[::]:" + std::to_string(a.port(0)))));
  EXPECT_FALSE(d.find_line("cannot bind"));
  EXPECT_EQ(first.read_line(), welcome_line());
  // Both families reach it.
  auto v6 = Client::connect(a.port(0), ConnectOptions{.host = "::1"});
  EXPECT_EQ(v6.read_line(), welcome_line());
}

std::string host_name(const ::testing::TestParamInfo<std::string>& host) {
  if (host.param == "*") return "star";
  return host.param == "0.0.0.0" ? "ipv4_any" : "ipv6_any";
}

INSTANTIATE_TEST_SUITE_P(Hosts, ActivationByAddress, ::testing::Values("*", "0.0.0.0", "[::]"),
                         host_name);

// ---- (c) refusals --------------------------------------------------------

TEST(ActivationRefusal, ASocketMatchingNoListenerStopsTheStart) {
  ActivatedDaemon a({{.name = "echo"}, {.name = "stray"}}, [](const auto& ports) {
    return make_config({{.name = "echo", .listen = loopback(ports[0])}});
  });
  auto first = a.trigger(0);
  Daemon& d = a.daemon();
  const auto status = d.wait_exit(kWait);
  ASSERT_TRUE(status) << "netcookd kept running";
  EXPECT_NE(*status, 0);
  EXPECT_TRUE(d.find_line("systemd passed fd 4 \\(name stray, " +
                          regex_escape(loopback(a.port(1))) + "\\), which matches no listener"))
      << d.log().text();
  EXPECT_FALSE(d.find_line("ready:"));
}

TEST(ActivationRefusal, ASocketThatIsNotAListeningStreamSocketStopsTheStart) {
  ActivatedDaemon a({{.name = "echo"}},
                    [](const auto& ports) {
                      return make_config({{.name = "echo", .listen = loopback(ports[0])}});
                    },
                    {.datagram = true});
  // A datagram wakes systemd-socket-activate up.
  UniqueFd udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(a.port(0));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::sendto(udp.get(), "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 1);
  Daemon& d = a.daemon();
  const auto status = d.wait_exit(kWait);
  ASSERT_TRUE(status) << "netcookd kept running";
  EXPECT_NE(*status, 0);
  EXPECT_TRUE(d.find_line("systemd passed fd 3 \\(name echo, " + regex_escape(loopback(a.port(0))) +
                          "\\), which is not a stream socket"))
      << d.log().text();
}

// ---- (d) reloads ---------------------------------------------------------

// Another model, for a listener that a reload changes.
std::string other_model(const std::string& model) {
  return model == "epoll" ? "select" : "epoll";
}

class ActivationReload : public ::testing::TestWithParam<std::string> {};

TEST_P(ActivationReload, ListenersKeepAndGetBackTheirActivatedSockets) {
  const std::string model = GetParam();
  std::vector<std::uint16_t> ports;
  // `room`: absent, under `room_model`, or renamed to `lobby` (its socket is
  // then matched by address).
  const auto config = [&](const std::string& room_model, const std::string& room_name = "room") {
    std::vector<ChatListener> chat;
    if (!room_model.empty())
      chat.push_back({.name = room_name, .model = room_model, .listen = loopback(ports[1])});
    return make_chat_config(chat, {"shutdown_timeout: 1s"},
                            {{.name = "echo", .model = model, .listen = loopback(ports[0])}});
  };
  ActivatedDaemon a({{.name = "echo"}, {.name = "room"}}, [&](const auto& chosen) {
    ports = chosen;
    return config(model);
  });
  auto held = a.trigger(0);
  Daemon& d = a.daemon();
  d.wait_for_line("ready: 2 listeners");
  ASSERT_EQ(held.exchange("before"), "before");

  const auto reload = [&](const std::string& text, const std::string& done) {
    const auto mark = d.log_mark();
    d.write_config(text);
    d.send_signal(SIGHUP);
    d.wait_for_line("reload done: " + done, kWait, mark);
    EXPECT_FALSE(d.find_line("reload failed|cannot bind|Address already in use", mark));
    return mark;
  };

  // Changed: a new driver on the same activated socket.
  auto mark = reload(config(other_model(model)),
                     "2 listeners \\(0 added, 1 changed, 0 removed, 1 unchanged\\)");
  EXPECT_TRUE(
      d.find_line(activated_line("room", "chat/" + other_model(model), loopback(ports[1])), mark));
  EXPECT_EQ(held.exchange("unchanged"), "unchanged") << "the held connection did not survive";
  {
    auto room = Client::connect(ports[1]);
    EXPECT_EQ(room.read_line(), welcome_line());
  }

  // Removed: the socket stays in the pool, not accepted on; a warning says so.
  mark = reload(config(""), "1 listeners \\(0 added, 0 changed, 1 removed, 1 unchanged\\)");
  EXPECT_TRUE(d.find_line("fd 4 \\(name room, " + regex_escape(loopback(ports[1])) +
                              "\\) is no listener's now: netcookd holds it without accepting, and "
                              "its socket unit still listens",
                          mark));

  // Back again: it takes the pooled socket by name, instead of binding.
  mark = reload(config(model), "2 listeners \\(1 added, 0 changed, 0 removed, 1 unchanged\\)");
  EXPECT_TRUE(d.find_line(activated_line("room", "chat/" + model, loopback(ports[1])), mark));
  {
    auto room = Client::connect(ports[1]);
    EXPECT_EQ(room.read_line(), welcome_line());
  }

  // Renamed: no socket has its name, so it takes room's by address.
  mark = reload(config(model, "lobby"),
                "2 listeners \\(1 added, 0 changed, 1 removed, 1 unchanged\\)");
  EXPECT_TRUE(d.find_line(activated_line("lobby", "chat/" + model, loopback(ports[1])), mark));
  {
    auto lobby = Client::connect(ports[1]);
    EXPECT_EQ(lobby.read_line(), welcome_line());
  }
  EXPECT_EQ(held.exchange("after"), "after");
}

INSTANTIATE_TEST_SUITE_P(Models, ActivationReload, kAllModels, model_name);

// ---- (e) what the fork model's processes inherit -------------------------

// "socket:[INODE]" for every descriptor `pid` holds.
std::set<std::string> sockets_of(pid_t pid) {
  std::set<std::string> sockets;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  for (int fd = 0; fd < 4096; ++fd) {
    char target[128] = {};
    const auto n = ::readlink((dir + "/" + std::to_string(fd)).c_str(), target, sizeof target - 1);
    if (n > 0 && std::string(target).starts_with("socket:")) sockets.insert(target);
  }
  return sockets;
}

std::string socket_at(pid_t pid, int fd) {
  char target[128] = {};
  const auto path = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
  const auto n = ::readlink(path.c_str(), target, sizeof target - 1);
  return n > 0 ? std::string(target) : std::string();
}

// LISTEN_* are unset by sd_listen_fds_with_names() before the fork master
// is forked (the unit test `activation` checks that a program started after
// take() finds none). /proc/PID/environ cannot show it here: it is the
// environment block the process was exec'd with, which unsetenv() does not
// rewrite, and forked processes keep that memory. What a fork-model process
// could really inherit is the sockets: the master must hold only those it
// was sent for its own listeners, a connection process none.
TEST(ActivationFork, ForkProcessesHoldOnlyTheSocketsTheyWereSent) {
  ActivatedDaemon a({{.name = "echo"}, {.name = "room"}}, [](const auto& ports) {
    return make_chat_config({{.name = "room", .model = "epoll", .listen = loopback(ports[1])}}, {},
                            {{.name = "echo", .model = "fork", .listen = loopback(ports[0])}});
  });
  auto held = a.trigger(0);
  Daemon& d = a.daemon();
  d.wait_for_line("ready: 2 listeners");
  ASSERT_EQ(held.exchange("x"), "x");  // a connection process serves it now

  const std::string echo_socket = socket_at(d.pid(), 3);
  const std::string room_socket = socket_at(d.pid(), 4);
  ASSERT_TRUE(echo_socket.starts_with("socket:")) << echo_socket;
  ASSERT_TRUE(room_socket.starts_with("socket:")) << room_socket;

  const auto masters = children_of(d.pid());
  ASSERT_EQ(masters.size(), 1u) << "expected the fork master as the only child";
  const auto master = sockets_of(masters[0]);
  EXPECT_TRUE(master.contains(echo_socket)) << "the master was not sent its listener's socket";
  EXPECT_FALSE(master.contains(room_socket))
      << "the master kept a copy of another listener's socket";

  const auto connections = children_of(masters[0]);
  ASSERT_EQ(connections.size(), 1u);
  const auto connection = sockets_of(connections[0]);
  EXPECT_FALSE(connection.contains(echo_socket));
  EXPECT_FALSE(connection.contains(room_socket));
}

}  // namespace
}  // namespace netcook::test
