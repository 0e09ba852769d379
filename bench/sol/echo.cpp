// Speed-of-light echo server: the least a single-threaded epoll echo loop
// must do, with no abstraction, so that bench/run can show what netcookd's
// layers cost. Level-triggered; one recv and one send per readiness. Bytes
// the socket does not take at once wait in the connection's `pending` and
// reading pauses until they are out, so every byte comes back in order.
//
// Usage: netcook-sol-echo 127.0.0.1:PORT   (loopback only; prints nothing;
// exits 0 on SIGTERM or SIGINT)

#include "sol/common.hpp"

#include <string>
#include <vector>

#include <sys/epoll.h>
#include <sys/socket.h>

namespace {

struct Connection {
  sol::Fd fd;
  std::string pending;  // echoed bytes the socket has not taken yet
};

}  // namespace

int main(int argc, char** argv) {
  const sol::Setup setup = sol::start(argc, argv);
  const int poll = setup.epoll.get();
  std::vector<Connection> connections(64);  // indexed by fd
  std::vector<char> buffer(64 * 1024);
  epoll_event events[256];

  const auto interest = [&](int fd, std::uint32_t what) {
    epoll_event event{what, {.fd = fd}};
    ::epoll_ctl(poll, EPOLL_CTL_MOD, fd, &event);
  };
  const auto flush = [&](int fd) {  // false: the connection is finished
    std::string& pending = connections[fd].pending;
    const ssize_t sent = ::send(fd, pending.data(), pending.size(), MSG_NOSIGNAL);
    if (sent < 0) return errno == EAGAIN;
    pending.erase(0, static_cast<std::size_t>(sent));
    if (pending.empty()) interest(fd, EPOLLIN);
    return true;
  };
  const auto echo = [&](int fd) {
    const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (got <= 0) return got < 0 && errno == EAGAIN;
    const ssize_t sent = ::send(fd, buffer.data(), static_cast<std::size_t>(got), MSG_NOSIGNAL);
    if (sent < 0 && errno != EAGAIN) return false;
    const std::size_t done = sent < 0 ? 0 : static_cast<std::size_t>(sent);
    if (done < static_cast<std::size_t>(got)) {
      connections[fd].pending.assign(buffer.data() + done, static_cast<std::size_t>(got) - done);
      interest(fd, EPOLLOUT);
    }
    return true;
  };

  for (;;) {
    const int ready = ::epoll_wait(poll, events, 256, -1);
    for (int i = 0; i < ready; ++i) {
      const int fd = events[i].data.fd;
      if (fd == setup.signals.get()) return 0;
      if (fd == setup.listener.get()) {
        for (;;) {
          sol::Fd client(::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
          if (client.get() < 0) break;
          sol::set_nodelay(client.get());
          const int raw = client.get();
          if (static_cast<std::size_t>(raw) >= connections.size()) connections.resize(raw * 2);
          epoll_event event{EPOLLIN, {.fd = raw}};
          ::epoll_ctl(poll, EPOLL_CTL_ADD, raw, &event);
          connections[raw].fd = std::move(client);
        }
        continue;
      }
      const bool alive = connections[fd].pending.empty() ? echo(fd) : flush(fd);
      if (!alive) connections[fd] = Connection{};  // closes; epoll forgets it
    }
  }
}
