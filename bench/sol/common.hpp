#pragma once

// What both speed-of-light servers share and that is not part of the loop
// being measured: the argument, the listening socket, the signals that end
// them, and an owning fd. Kept apart so that echo.cpp and http.cpp show
// only their loops.

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sol {

// Owns one descriptor; -1 owns nothing.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }

 private:
  int fd_ = -1;
};

struct Setup {
  Fd listener;  // non-blocking, in `epoll`
  Fd signals;   // SIGTERM and SIGINT, in `epoll`
  Fd epoll;
};

inline void set_nodelay(int fd) noexcept {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "netcook-sol: %s\n", what);
  std::exit(2);
}

// Parses "127.x.x.x:PORT" (anything else is refused: load stays on the
// loopback), listens there and blocks SIGTERM and SIGINT into a signalfd.
inline Setup start(int argc, char** argv) {
  if (argc != 2) fail("usage: netcook-sol-{echo,http} 127.0.0.1:PORT");
  const std::string text = argv[1];
  const auto colon = text.rfind(':');
  sockaddr_in address{};
  address.sin_family = AF_INET;
  char* end = nullptr;
  const long port = colon == std::string::npos ? 0 : std::strtol(text.c_str() + colon + 1, &end, 10);
  if (port < 1 || port > 65535 || *end != '\0' ||
      ::inet_pton(AF_INET, text.substr(0, colon).c_str(), &address.sin_addr) != 1 ||
      (ntohl(address.sin_addr.s_addr) >> 24) != 127)
    fail("refusing the address: only 127.x.x.x:PORT (loopback) is allowed");
  address.sin_port = htons(static_cast<in_port_t>(port));

  Setup setup;
  setup.listener = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const int one = 1;
  ::setsockopt(setup.listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(setup.listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(setup.listener.get(), 4096) != 0)
    fail("cannot listen on the address");

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  setup.signals = Fd(::signalfd(-1, &mask, SFD_CLOEXEC));
  setup.epoll = Fd(::epoll_create1(EPOLL_CLOEXEC));
  for (const int fd : {setup.listener.get(), setup.signals.get()}) {
    epoll_event event{EPOLLIN, {.fd = fd}};
    ::epoll_ctl(setup.epoll.get(), EPOLL_CTL_ADD, fd, &event);
  }
  return setup;
}

}  // namespace sol
