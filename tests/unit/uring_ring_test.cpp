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
#include <cerrno>
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

// A multishot receive into provided buffers: each completion names the
// buffer it filled and says more will come; a buffer given back is used
// again; cancel() ends the receive with a last completion that says no more.
TEST(Ring, AMultishotReceiveFillsProvidedBuffersUntilCancelled) {
  event::Loop loop;
  Ring ring;
  BufferRing buffers(ring, 7, 2, 16);  // two buffers: the third message reuses one
  Fds fds;
  struct Collector final : Completion {
    BufferRing& buffers;
    event::Loop& loop;
    std::vector<std::string> texts;
    std::vector<std::int32_t> endings;  // results of completions without more()
    Collector(BufferRing& b, event::Loop& l) : buffers(b), loop(l) {}
    void completed(std::int32_t result, std::uint32_t flags) noexcept override {
      if (!more(flags)) {
        endings.push_back(result);
        loop.stop();
        return;
      }
      const auto id = buffer(flags);
      if (!id || result <= 0) {
        endings.push_back(result);
        return;
      }
      const auto bytes = buffers.bytes(*id, static_cast<std::size_t>(result));
      texts.emplace_back(bytes.data(), bytes.size());
      buffers.give_back(*id);
      if (texts.size() == 3) {
        ring->cancel(*this);
        return;
      }
      loop.post([this] {
        const std::string next = "msg" + std::to_string(texts.size());
        EXPECT_EQ(::write(fds_theirs, next.data(), next.size()), 4);
      });
    }
    int fds_theirs = -1;
    Ring* ring = nullptr;
  } collector(buffers, loop);
  collector.fds_theirs = fds.theirs();
  collector.ring = &ring;
  event::Timer guard(loop, [&] { loop.stop(); });  // bounds the test
  guard.arm_after(5s);
  ring.receive_multishot(collector, fds.ours(), 7);
  ASSERT_EQ(::write(fds.theirs(), "msg0", 4), 4);
  loop.run(&ring);
  EXPECT_EQ(collector.texts, (std::vector<std::string>{"msg0", "msg1", "msg2"}));
  EXPECT_EQ(collector.endings, (std::vector<std::int32_t>{-ECANCELED}));
}

}  // namespace
}  // namespace netcook::uring
