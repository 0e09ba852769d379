// uring::Ring as an event::Loop's waiter: a recv on a socketpair completes
// in the ring and is handed to its Completion, while the loop's posted
// work, timers and epoll registrations still run; a multishot operation's
// completions keep coming; unavailable() says io_uring works here.

#include "event/event_fd.hpp"
#include "event/loop.hpp"
#include "event/registration.hpp"
#include "event/timer.hpp"
#include "uring/ring.hpp"

#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace netcook::uring {
namespace {

using namespace std::chrono_literals;

class Fds {
 public:
  Fds() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_), 0); }
  ~Fds() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int ours() const { return fds_[0]; }
  int theirs() const { return fds_[1]; }

 private:
  int fds_[2];
};

// Records what its recv brought, and stops the loop at "stop".
class Receiver final : public Completion {
 public:
  explicit Receiver(event::Loop& loop) : loop_(loop) {}
  void completed(std::int32_t result, std::uint32_t) noexcept override {
    results.push_back(result);
    if (result > 0) text.append(buffer.data(), static_cast<std::size_t>(result));
    if (text.find("stop") != std::string::npos) loop_.stop();
  }
  std::array<char, 64> buffer{};
  std::vector<std::int32_t> results;
  std::string text;

 private:
  event::Loop& loop_;
};

TEST(Ring, IoUringWorksHere) {
  EXPECT_EQ(unavailable(), "");
}

TEST(Ring, ARecvCompletesInTheRingBesideTheLoopsOwnWork) {
  event::Loop loop;
  Ring ring;
  Fds fds;
  Receiver receiver(loop);
  std::vector<std::string> seen;
  // The loop's own: a timer that sends "stop" over the socket, armed by a
  // posted function.
  event::Timer sender(loop, [&] {
    seen.push_back("timer");
    ASSERT_EQ(::write(fds.theirs(), "stop", 4), 4);
  });
  loop.post([&] {
    seen.push_back("posted");
    sender.arm_after(20ms);
  });
  event::Timer guard(loop, [&] { loop.stop(); });  // bounds the test
  guard.arm_after(5s);
  ring.receive(receiver, fds.ours(), receiver.buffer);
  loop.run(&ring);
  EXPECT_EQ(seen, (std::vector<std::string>{"posted", "timer"}));
  EXPECT_EQ(receiver.results, (std::vector<std::int32_t>{4}));
  EXPECT_EQ(receiver.text, "stop");
}

// An epoll registration of the loop wakes the ring's wait (the multishot
// poll on the loop's epoll descriptor), again and again.
TEST(Ring, TheLoopsRegistrationsWakeItsWait) {
  event::Loop loop;
  Ring ring;
  event::EventFd fd;
  int woken = 0;
  struct Counter final : event::Watcher {
    event::Loop& loop;
    event::EventFd& fd;
    int& woken;
    Counter(event::Loop& l, event::EventFd& f, int& w) : loop(l), fd(f), woken(w) {}
    void on_ready(std::uint32_t) noexcept override {
      fd.clear();
      if (++woken == 3) {
        loop.stop();
        return;
      }
      loop.post([this] { fd.signal(); });
    }
  } counter(loop, fd, woken);
  const event::Registration registration(loop, fd.fd(), counter, EPOLLIN);
  event::Timer guard(loop, [&] { loop.stop(); });
  guard.arm_after(5s);
  fd.signal();
  loop.run(&ring);
  EXPECT_EQ(woken, 3);
}

}  // namespace
}  // namespace netcook::uring
