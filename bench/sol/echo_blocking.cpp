// Speed-of-light blocking echo servers, one per connection: the least the
// thread and fork models' technique must do, with no abstraction. Built
// twice: netcook-sol-echo-threads starts a detached thread per connection,
// netcook-sol-echo-forks (SOL_FORK) a process. Each connection does
// blocking recv(2) and send(2). Shown next to the epoll loop (sol/echo.cpp),
// they measure what the technique itself costs per message (a thread or
// process sleeps and wakes for each one), apart from what netcookd's
// thread and fork models add to it.
//
// Usage: netcook-sol-echo-{threads,forks} 127.0.0.1:PORT   (loopback only;
// prints nothing; exits 0 on SIGTERM or SIGINT; connections still open
// then end with the process (threads) or at their client's EOF (forks))

#include "sol/common.hpp"

#include <thread>
#include <vector>

#include <sys/epoll.h>
#include <sys/socket.h>

namespace {

void serve(sol::Fd client) {
  std::vector<char> buffer(16 * 1024);
  for (;;) {
    const ssize_t got = ::recv(client.get(), buffer.data(), buffer.size(), 0);
    if (got <= 0) return;
    for (ssize_t done = 0; done < got;) {
      const ssize_t sent = ::send(client.get(), buffer.data() + done,
                                  static_cast<std::size_t>(got - done), MSG_NOSIGNAL);
      if (sent <= 0) return;
      done += sent;
    }
  }
}

void start_serving(sol::Fd client, const sol::Setup& setup) {
#ifdef SOL_FORK
  const pid_t child = ::fork();
  if (child != 0) return;  // the parent's copy closes here; -1: the client is refused
  ::close(setup.epoll.get());
  ::close(setup.listener.get());
  ::close(setup.signals.get());
  serve(std::move(client));
  std::_Exit(0);
#else
  (void)setup;
  std::thread(serve, std::move(client)).detach();
#endif
}

}  // namespace

int main(int argc, char** argv) {
  const sol::Setup setup = sol::start(argc, argv);
#ifdef SOL_FORK
  struct sigaction reap {};
  reap.sa_handler = SIG_IGN;
  reap.sa_flags = SA_NOCLDWAIT;  // children are reaped by the kernel
  ::sigaction(SIGCHLD, &reap, nullptr);
#endif
  epoll_event events[2];
  for (;;) {
    const int ready = ::epoll_wait(setup.epoll.get(), events, 2, -1);
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.fd == setup.signals.get()) std::_Exit(0);
      for (;;) {
        // Blocking, unlike the listener: the connection sleeps in recv.
        sol::Fd client(::accept4(setup.listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (client.get() < 0) break;
        sol::set_nodelay(client.get());
        start_serving(std::move(client), setup);
      }
    }
  }
}
