// Speed-of-light HTTP/1.1 server: a single-threaded level-triggered epoll
// loop that finds the end of each request head ("\r\n\r\n") and answers it
// with one fixed 200, keep-alive, pipelined requests answered in order. The
// response has the same header set and sizes as netcookd's fixed-body
// listener with the default body (daemon/proto/http/fixed_site.cpp), so the
// two cost the same on the wire. Request bodies are not read: the loads that
// compare the two send GETs.
//
// Usage: netcook-sol-http 127.0.0.1:PORT   (loopback only; prints nothing;
// exits 0 on SIGTERM or SIGINT)

#include "sol/common.hpp"

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <sys/epoll.h>
#include <sys/socket.h>

namespace {

constexpr std::string_view kBody = "Hello from Epoll Server!\n";

struct Connection {
  sol::Fd fd;
  std::string in;   // the start of a request head not yet complete
  std::string out;  // responses the socket has not taken yet
};

// The same lines as netcookd's, of the same lengths ("sol-http" for "netcookd").
const std::string kHead = "HTTP/1.1 200 OK\r\nServer: sol-http/" NETCOOKD_VERSION
                          "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                          std::to_string(kBody.size()) + "\r\nDate: ";

}  // namespace

int main(int argc, char** argv) {
  const sol::Setup setup = sol::start(argc, argv);
  const int poll = setup.epoll.get();
  std::vector<Connection> connections(64);  // indexed by fd
  std::vector<char> buffer(64 * 1024);
  std::string response = kHead + "Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n" + std::string(kBody);
  std::time_t dated = 0;
  epoll_event events[256];

  const auto serve = [&](int fd) {  // false: the connection is finished
    Connection& c = connections[fd];
    const bool was_writing = !c.out.empty();
    if (!was_writing) {
      const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
      if (got <= 0) return got < 0 && errno == EAGAIN;
      c.in.append(buffer.data(), static_cast<std::size_t>(got));
      std::size_t start = 0;
      for (std::size_t end; (end = c.in.find("\r\n\r\n", start)) != std::string::npos;) {
        c.out += response;
        start = end + 4;
      }
      c.in.erase(0, start);
      if (c.out.empty()) return true;  // the head is not complete yet
    }
    const ssize_t sent = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno != EAGAIN) return false;
    c.out.erase(0, sent < 0 ? 0 : static_cast<std::size_t>(sent));
    if (was_writing != !c.out.empty()) {  // read again only once all is out
      epoll_event event{c.out.empty() ? EPOLLIN : EPOLLOUT, {.fd = fd}};
      ::epoll_ctl(poll, EPOLL_CTL_MOD, fd, &event);
    }
    return true;
  };

  for (;;) {
    const int ready = ::epoll_wait(poll, events, 256, -1);
    if (const std::time_t now = std::time(nullptr); now != dated) {
      dated = now;
      std::tm tm{};
      ::gmtime_r(&now, &tm);
      char date[32];
      std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);  // C locale
      response.replace(kHead.size(), 29, date, 29);
    }
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
      if (!serve(fd)) connections[fd] = Connection{};  // closes; epoll forgets it
    }
  }
}
