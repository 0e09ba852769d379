// Socket activation without systemd: match_sockets() fed plain values
// (which listener takes which passed socket, and what is refused), the
// bound-address conversion, and ActivatedSockets::take() run in a forked
// child that plays systemd's part (sockets at fd 3 and up, LISTEN_* set).

#include "systemd/activation.hpp"

#include "net/socket.hpp"
#include "systemd/activation_match.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace netcook::systemd {
namespace {

using Kind = net::Address::Kind;

net::Address address(const std::string& text) {
  std::string error;
  auto parsed = net::parse_address(text, error);
  if (!parsed) throw std::runtime_error(text + ": " + error);
  return *parsed;
}

WantedListener listener(const std::string& name, const std::string& listen) {
  return {name, address(listen)};
}

// A passed socket bound to `listen` ("*:P" stands for a dual-stack [::]:P).
PassedSocket passed(int fd, const std::string& name, const std::string& listen) {
  const net::Address bound = address(listen);
  const std::string text = bound.kind == Kind::any
                               ? "[::]:" + std::to_string(bound.port) + ", dual stack"
                               : bound.to_string();
  return {fd, name, bound, text};
}

bool mentions(const std::vector<std::string>& messages, const std::string& text) {
  for (const auto& message : messages)
    if (message.find(text) != std::string::npos) return true;
  return false;
}

std::string joined(const std::vector<std::string>& messages) {
  std::string text;
  for (const auto& message : messages) text += message + "\n";
  return text;
}

using Index = std::optional<std::size_t>;

TEST(MatchSockets, NoSocketsEveryListenerBindsItsOwn) {
  const auto m = match_sockets({listener("web", "127.0.0.1:8080")}, {});
  EXPECT_EQ(m.socket_of, std::vector<Index>{std::nullopt});
  EXPECT_TRUE(m.ok());
  EXPECT_TRUE(m.unmatched.empty());
}

TEST(MatchSockets, ByNameWhateverTheOrder) {
  const auto m =
      match_sockets({listener("web", "127.0.0.1:8080"), listener("chat", "127.0.0.1:9000")},
                    {passed(3, "chat", "127.0.0.1:9000"), passed(4, "web", "127.0.0.1:8080")});
  EXPECT_EQ(m.socket_of, (std::vector<Index>{1, 0}));
  EXPECT_TRUE(m.ok()) << joined(m.errors);
  EXPECT_TRUE(m.warnings.empty()) << joined(m.warnings);
  EXPECT_TRUE(m.unmatched.empty());
}

TEST(MatchSockets, ANameWinsOverTheConfiguredAddressWithAWarning) {
  const auto m = match_sockets({listener("web", "127.0.0.1:7000")}, {passed(3, "web", "*:8080")});
  EXPECT_EQ(m.socket_of, std::vector<Index>{0});
  EXPECT_TRUE(m.ok()) << joined(m.errors);
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_TRUE(mentions(m.warnings, "listener web")) << m.warnings[0];
  EXPECT_TRUE(mentions(m.warnings, "fd 3 (name web, [::]:8080, dual stack)")) << m.warnings[0];
  EXPECT_TRUE(mentions(m.warnings, "127.0.0.1:7000")) << m.warnings[0];
}

TEST(MatchSockets, ANamedSocketForAListenerOnPortZeroNeedsNoWarning) {
  const auto m =
      match_sockets({listener("web", "127.0.0.1:0")}, {passed(3, "web", "127.0.0.1:8080")});
  EXPECT_EQ(m.socket_of, std::vector<Index>{0});
  EXPECT_TRUE(m.warnings.empty()) << joined(m.warnings);
}

TEST(MatchSockets, AListenerOnPortZeroTakesNoSocketByAddress) {
  const auto m =
      match_sockets({listener("web", "127.0.0.1:0")}, {passed(3, "unknown", "127.0.0.1:8080")});
  EXPECT_EQ(m.socket_of, std::vector<Index>{std::nullopt});
  EXPECT_EQ(m.unmatched, std::vector<std::size_t>{0});
}

TEST(MatchSockets, ExactAddressWithoutAName) {
  const auto m = match_sockets(
      {listener("a", "127.0.0.1:8080"), listener("b", "127.0.0.1:8081"),
       listener("c", "[::1]:8080")},
      {passed(3, "unknown", "[::1]:8080"), passed(4, "netcookd-a.socket", "127.0.0.1:8080")});
  EXPECT_EQ(m.socket_of, (std::vector<Index>{1, std::nullopt, 0}));
  EXPECT_TRUE(m.ok()) << joined(m.errors);
  EXPECT_TRUE(m.unmatched.empty());
}

TEST(MatchSockets, AnotherHostOrPortIsNoMatch) {
  const auto m = match_sockets({listener("a", "127.0.0.2:8080"), listener("b", "127.0.0.1:8081")},
                               {passed(3, "unknown", "127.0.0.1:8080")});
  EXPECT_EQ(m.socket_of, (std::vector<Index>{std::nullopt, std::nullopt}));
  EXPECT_EQ(m.unmatched, std::vector<std::size_t>{0});
  EXPECT_TRUE(m.ok()) << joined(m.errors);
}

// ListenStream=8080 binds a dual-stack [::]:8080; with IPv6 off, 0.0.0.0.
class EveryAddress : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(EveryAddress, AListenerOnEveryAddressTakesAWildcardSocket) {
  const auto& [configured, bound] = GetParam();
  const auto m = match_sockets({listener("any", configured + ":8080")},
                               {passed(3, "unknown", bound + ":8080")});
  EXPECT_EQ(m.socket_of, std::vector<Index>{0});
  EXPECT_TRUE(m.ok()) << joined(m.errors);
  EXPECT_TRUE(m.unmatched.empty());
}

INSTANTIATE_TEST_SUITE_P(Forms, EveryAddress,
                         ::testing::Combine(::testing::Values("*", "0.0.0.0", "[::]"),
                                            ::testing::Values("*", "0.0.0.0")));

TEST(MatchSockets, AnIPv6OnlyWildcardIsTakenByTheSameAddressOnly) {
  PassedSocket v6only{3, "unknown", net::Address{Kind::inet6, "::", 8080}, "[::]:8080"};
  const auto same = match_sockets({listener("v6", "[::]:8080")}, {v6only});
  EXPECT_EQ(same.socket_of, std::vector<Index>{0});
  // 0.0.0.0 is another family's wildcard: it binds its own, side by side.
  const auto v4 = match_sockets({listener("v4", "0.0.0.0:8080")}, {v6only});
  EXPECT_EQ(v4.socket_of, std::vector<Index>{std::nullopt});
  EXPECT_EQ(v4.unmatched, std::vector<std::size_t>{0});
  EXPECT_TRUE(v4.ok()) << joined(v4.errors);
}

TEST(MatchSockets, UnixSocketsByPath) {
  const auto m =
      match_sockets({listener("a", "unix:/run/a.sock"), listener("b", "unix:/run/b.sock")},
                    {passed(3, "unknown", "unix:/run/b.sock")});
  EXPECT_EQ(m.socket_of, (std::vector<Index>{std::nullopt, 0}));
  EXPECT_TRUE(m.ok()) << joined(m.errors);
}

TEST(MatchSockets, ASocketMatchingNoListenerIsReportedNotGiven) {
  const auto m =
      match_sockets({listener("web", "127.0.0.1:8080")},
                    {passed(3, "web", "127.0.0.1:8080"), passed(4, "stray", "127.0.0.1:9999")});
  EXPECT_EQ(m.socket_of, std::vector<Index>{0});
  EXPECT_EQ(m.unmatched, std::vector<std::size_t>{1});
  EXPECT_TRUE(m.ok()) << joined(m.errors);
  EXPECT_EQ(describe(passed(4, "stray", "127.0.0.1:9999")), "fd 4 (name stray, 127.0.0.1:9999)");
}

TEST(MatchSockets, PlaceholderNamesNeverNameAListener) {
  for (const std::string name : {"unknown", "stored", "connection"}) {
    EXPECT_FALSE(has_own_name(name));
    const auto m =
        match_sockets({listener(name, "127.0.0.1:8080")}, {passed(3, name, "127.0.0.1:9000")});
    EXPECT_EQ(m.socket_of, std::vector<Index>{std::nullopt}) << name;
    EXPECT_EQ(m.unmatched, std::vector<std::size_t>{0}) << name;
  }
  EXPECT_TRUE(has_own_name("web"));
}

TEST(MatchSockets, TwoNamedSocketsForOneListenerIsAnError) {
  // One socket unit with two ListenStream= lines: both fds carry its name.
  const auto m =
      match_sockets({listener("web", "127.0.0.1:8080")},
                    {passed(3, "web", "127.0.0.1:8080"), passed(4, "web", "[::1]:8080")});
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(mentions(m.errors, "listener web: systemd passed two sockets")) << joined(m.errors);
  EXPECT_TRUE(mentions(m.errors, "fd 3 (name web, 127.0.0.1:8080)")) << joined(m.errors);
  EXPECT_TRUE(mentions(m.errors, "fd 4 (name web, [::1]:8080)")) << joined(m.errors);
  EXPECT_TRUE(m.unmatched.empty());
}

TEST(MatchSockets, ANamedAndAnAddressedSocketForOneListenerIsAnError) {
  const auto m =
      match_sockets({listener("web", "127.0.0.1:8080")},
                    {passed(3, "web", "127.0.0.1:9090"), passed(4, "unknown", "127.0.0.1:8080")});
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(mentions(m.errors, "fd 3")) << joined(m.errors);
  EXPECT_TRUE(mentions(m.errors, "fd 4")) << joined(m.errors);
}

TEST(MatchSockets, ASocketFittingTwoListenersEquallyIsAnError) {
  const auto m = match_sockets({listener("v4", "0.0.0.0:8080"), listener("v6", "[::]:8080")},
                               {passed(3, "unknown", "*:8080")});
  ASSERT_EQ(m.errors.size(), 1u) << joined(m.errors);
  EXPECT_TRUE(mentions(m.errors, "fd 3")) << m.errors[0];
  EXPECT_TRUE(mentions(m.errors, "listeners v4, v6")) << m.errors[0];
  EXPECT_TRUE(mentions(m.errors, "FileDescriptorName=")) << m.errors[0];
  EXPECT_TRUE(m.unmatched.empty());
}

TEST(MatchSockets, TheExactAddressBeatsAWildcardFit) {
  const auto m = match_sockets({listener("v4", "0.0.0.0:8080"), listener("all", "*:8080")},
                               {passed(3, "unknown", "0.0.0.0:8080")});
  EXPECT_EQ(m.socket_of[0], Index{0});
}

TEST(MatchSockets, NeverBindsWhereAPassedSocketListens) {
  // The named socket went to `web`; `api` would bind the same address.
  const auto taken =
      match_sockets({listener("web", "127.0.0.1:7000"), listener("api", "127.0.0.1:8080")},
                    {passed(3, "web", "127.0.0.1:8080")});
  ASSERT_FALSE(taken.ok());
  EXPECT_TRUE(mentions(taken.errors, "listener api: cannot bind 127.0.0.1:8080"))
      << joined(taken.errors);
  EXPECT_TRUE(mentions(taken.errors, "fd 3 (name web, 127.0.0.1:8080) (listener web takes it)"))
      << joined(taken.errors);
  // A specific address inside a dual-stack wildcard socket no one takes.
  const auto covered =
      match_sockets({listener("local", "127.0.0.1:8080")}, {passed(3, "unknown", "*:8080")});
  ASSERT_FALSE(covered.ok());
  EXPECT_TRUE(mentions(covered.errors, "no listener takes it")) << joined(covered.errors);
  EXPECT_EQ(covered.unmatched, std::vector<std::size_t>{0});
}

// getsockname() results as the matching sees them.
TEST(MatchableAddress, FromKernelAddresses) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(8080);
  ::inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
  EXPECT_EQ(matchable_address(reinterpret_cast<sockaddr*>(&in), sizeof in, false),
            (net::Address{Kind::inet4, "127.0.0.1", 8080}));

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(8080);
  in6.sin6_addr = in6addr_any;
  EXPECT_EQ(matchable_address(reinterpret_cast<sockaddr*>(&in6), sizeof in6, false),
            (net::Address{Kind::any, "*", 8080}));
  EXPECT_EQ(matchable_address(reinterpret_cast<sockaddr*>(&in6), sizeof in6, true),
            (net::Address{Kind::inet6, "::", 8080}));
  ::inet_pton(AF_INET6, "::1", &in6.sin6_addr);
  EXPECT_EQ(matchable_address(reinterpret_cast<sockaddr*>(&in6), sizeof in6, false),
            (net::Address{Kind::inet6, "::1", 8080}));
  ::inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
  EXPECT_EQ(matchable_address(reinterpret_cast<sockaddr*>(&in6), sizeof in6, false),
            (net::Address{Kind::inet4, "127.0.0.1", 8080}));

  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::strcpy(un.sun_path, "/run/netcookd/web.sock");
  const auto length =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + std::strlen(un.sun_path) + 1);
  EXPECT_EQ(matchable_address(reinterpret_cast<sockaddr*>(&un), length, false),
            (net::Address{Kind::unix_path, "/run/netcookd/web.sock", 0}));
  un.sun_path[0] = '\0';  // abstract: no listener can be configured there
  EXPECT_EQ(matchable_address(reinterpret_cast<sockaddr*>(&un), length, false), std::nullopt);
}

// ---- ActivatedSockets::take() in a child process playing systemd ----

// A socket of `type` bound to 127.0.0.1 on an ephemeral port; listening
// when `listen`.
int loopback_socket(int type, bool listen) {
  const int fd = ::socket(AF_INET, type, 0);
  sockaddr_in in{};
  in.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof in) != 0 ||
      (listen && ::listen(fd, 16) != 0))
    std::abort();
  return fd;
}

// Runs `body` in a forked child and returns what it returned (or
// "exception: ..."), sent back through a pipe above the fd numbers the
// child hands out from 3 on.
std::string in_child(const std::function<std::string()>& body) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::fcntl(pipe_fds[1], F_DUPFD_CLOEXEC, 100);
    std::string result;
    try {
      result = body();
    } catch (const std::exception& e) {
      result = std::string("exception: ") + e.what();
    }
    const auto written = ::write(out, result.data(), result.size());
    ::_exit(written == static_cast<ssize_t>(result.size()) ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string result;
  char chunk[1024];
  for (ssize_t n; (n = ::read(pipe_fds[0], chunk, sizeof chunk)) > 0;) result.append(chunk, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return result;
}

// In the child: the sockets at 3, 4, ... and LISTEN_* as systemd sets them.
void pass_sockets(const std::vector<int>& sockets, const char* names) {
  std::vector<int> moved;
  for (const int fd : sockets) moved.push_back(::fcntl(fd, F_DUPFD, 50));
  for (std::size_t i = 0; i < moved.size(); ++i) ::dup2(moved[i], 3 + static_cast<int>(i));
  for (const int fd : moved) ::close(fd);
  ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
  ::setenv("LISTEN_FDS", std::to_string(sockets.size()).c_str(), 1);
  if (names != nullptr) ::setenv("LISTEN_FDNAMES", names, 1);
}

// What a program started from the child finds in its environment.
std::string environment_of_a_child_program() {
  FILE* shell =
      ::popen("echo \"${LISTEN_FDS-unset} ${LISTEN_PID-unset} ${LISTEN_FDNAMES-unset}\"", "r");
  if (shell == nullptr) return "popen failed";
  char line[256] = {};
  const bool read = std::fgets(line, sizeof line, shell) != nullptr;
  ::pclose(shell);
  return read ? std::string(line) : "no output";
}

TEST(TakeSockets, TakesNamedListeningSocketsAndUnsetsTheEnvironment) {
  const std::string report = in_child([] {
    const int web = loopback_socket(SOCK_STREAM, true);
    const int other = loopback_socket(SOCK_STREAM, true);
    const std::vector<std::string> expected = {
        "fd 3 (name web, " + net::local_address(net::Fd(web)) + ")",
        "fd 4 (name unknown, " + net::local_address(net::Fd(other)) + ")"};
    pass_sockets({web, other}, "web:unknown");
    auto sockets = ActivatedSockets::take();
    std::string text = std::to_string(sockets.entries().size()) + " sockets\n";
    for (std::size_t i = 0; i < sockets.entries().size() && i < expected.size(); ++i) {
      const auto& entry = sockets.entries()[i];
      const int flags = ::fcntl(entry.socket->get(), F_GETFL);
      text += describe(entry.passed) == expected[i] ? "as passed" : describe(entry.passed);
      text += (flags & O_NONBLOCK) != 0 ? ", non-blocking" : ", blocking";
      text += sockets.holds(entry.socket) ? ", held\n" : ", not held\n";
    }
    text +=
        std::string("getenv: ") + (std::getenv("LISTEN_FDS") == nullptr ? "unset" : "set") + "\n";
    text += "child program: " + environment_of_a_child_program();
    return text;
  });
  EXPECT_EQ(report,
            "2 sockets\n"
            "as passed, non-blocking, held\n"
            "as passed, non-blocking, held\n"
            "getenv: unset\n"
            "child program: unset unset unset\n");
}

TEST(TakeSockets, RefusesASocketThatIsNotAListeningStreamSocket) {
  const std::string datagram = in_child([] {
    const int udp = loopback_socket(SOCK_DGRAM, false);
    const std::string where = net::local_address(net::Fd(udp));
    pass_sockets({udp}, "logs");
    ActivatedSockets::take();
    return std::string("taken: ") + where;
  });
  EXPECT_NE(datagram.find("exception: systemd passed fd 3 (name logs, 127.0.0.1:"),
            std::string::npos)
      << datagram;
  EXPECT_NE(datagram.find("not a stream socket"), std::string::npos) << datagram;

  const std::string unlistened = in_child([] {
    pass_sockets({loopback_socket(SOCK_STREAM, false)}, "web");
    ActivatedSockets::take();
    return std::string("taken");
  });
  EXPECT_NE(unlistened.find("exception: systemd passed fd 3 (name web, 127.0.0.1:"),
            std::string::npos)
      << unlistened;
  EXPECT_NE(unlistened.find("not listening"), std::string::npos) << unlistened;
}

TEST(TakeSockets, NothingPassedOrPassedToAnotherProcess) {
  const std::string report = in_child([] {
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
    std::string text = "none: " + std::to_string(ActivatedSockets::take().entries().size()) + "\n";
    // Meant for the parent (LISTEN_PID is not us): ignored, and unset.
    pass_sockets({loopback_socket(SOCK_STREAM, true)}, "web");
    ::setenv("LISTEN_PID", std::to_string(::getppid()).c_str(), 1);
    text += "other: " + std::to_string(ActivatedSockets::take().entries().size()) + "\n";
    text += "child " + environment_of_a_child_program();
    return text;
  });
  EXPECT_EQ(report, "none: 0\nother: 0\nchild unset unset unset\n");
}

}  // namespace
}  // namespace netcook::systemd
