// event/: Deferred (Loop::defer) runs on the next turn, after the loop has
// polled; Registration remembers its mask and unregisters itself;
// Timer::arm_by never moves a deadline later; EventFd wakes and clears.

#include "event/deferred.hpp"
#include "event/event_fd.hpp"
#include "event/loop.hpp"
#include "event/registration.hpp"
#include "event/timer.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/epoll.h>

namespace netcook::event {
namespace {

using namespace std::chrono_literals;

// Runs `loop` until it stops itself, or 5 s (a failure).
bool run(Loop& loop) {
  bool timed_out = false;
  Timer guard(loop, [&] {
    timed_out = true;
    loop.stop();
  });
  guard.arm_after(5s);
  loop.run();
  return !timed_out;
}

bool readable(const EventFd& fd) {
  pollfd wanted{fd.fd().get(), POLLIN, 0};
  return ::poll(&wanted, 1, 0) == 1;
}

// Records what it is told, and stops the loop at the first event.
class Recorder final : public Watcher {
 public:
  explicit Recorder(Loop& loop) : loop_(loop) {}
  void on_ready(std::uint32_t events) noexcept override {
    seen.push_back(events);
    loop_.stop();
  }
  std::vector<std::uint32_t> seen;

 private:
  Loop& loop_;
};

TEST(Loop, RunsAgainAfterAStop) {
  Loop loop;
  int turns = 0;
  Timer first(loop, [&] {
    ++turns;
    loop.stop();
  });
  first.arm_after(0ms);
  loop.run();
  Timer second(loop, [&] {
    ++turns;
    loop.stop();
  });
  second.arm_after(10ms);
  loop.run();  // not at once: the first stop was honoured
  EXPECT_EQ(turns, 2);
}

// A waiter of its own (what an io_uring worker is): an eventfd for its
// events, poll(2) on it and on the loop's epoll descriptor. The loop's own
// work (posted functions, timers, registrations) still runs, and the
// waiter's events are dispatched once the loop's clock moved.
class PollWaiter final : public Waiter {
 public:
  bool wait(int epoll_fd, int timeout_ms) override {
    ++waits;
    pollfd fds[2] = {{own.fd().get(), POLLIN, 0}, {epoll_fd, POLLIN, 0}};
    ::poll(fds, 2, timeout_ms);
    own_ready_ = (fds[0].revents & POLLIN) != 0;
    return (fds[1].revents & POLLIN) != 0;
  }
  void dispatch() noexcept override {
    if (!own_ready_) return;
    own.clear();
    ++dispatched;
    if (on_event) on_event();
  }

  EventFd own;
  int waits = 0;
  int dispatched = 0;
  std::function<void()> on_event;

 private:
  bool own_ready_ = false;
};

// The waiter's event first (dispatched before the loop's own work), then
// a posted function, a timer the event armed, and a registration the timer
// made ready: each wakes the waiter, through its eventfd or the loop's
// epoll descriptor.
TEST(Loop, AWaiterWaitsForItsOwnEventsAndTheLoops) {
  Loop loop;
  PollWaiter waiter;
  std::vector<std::string> seen;
  EventFd watched;
  struct Seen final : Watcher {
    Loop& loop;
    std::vector<std::string>& seen;
    EventFd& fd;
    Seen(Loop& l, std::vector<std::string>& s, EventFd& f) : loop(l), seen(s), fd(f) {}
    void on_ready(std::uint32_t) noexcept override {
      fd.clear();
      seen.push_back("registration");
      loop.stop();
    }
  } watcher(loop, seen, watched);
  const Registration registration(loop, watched.fd(), watcher, EPOLLIN);
  Timer timer(loop, [&] {
    seen.push_back("timer");
    watched.signal();
  });
  waiter.on_event = [&] {
    seen.push_back("own");
    timer.arm_after(10ms);
  };
  Timer guard(loop, [&] { loop.stop(); });  // bounds the test
  guard.arm_after(5s);
  waiter.own.signal();
  loop.post([&] { seen.push_back("posted"); });
  loop.run(&waiter);
  EXPECT_EQ(seen, (std::vector<std::string>{"own", "posted", "timer", "registration"}));
  EXPECT_EQ(waiter.dispatched, 1);
  EXPECT_GE(waiter.waits, 3);
}

TEST(EventFd, SignalThenClear) {
  EventFd fd;
  EXPECT_FALSE(readable(fd));
  fd.signal();
  fd.signal();
  EXPECT_TRUE(readable(fd));
  fd.clear();
  EXPECT_FALSE(readable(fd));
}

// Deferred work runs after the events of the turn that follows its
// scheduling: a descriptor that became ready meanwhile goes first.
TEST(Deferred, RunsOnTheNextTurnAfterItsEvents) {
  Loop loop;
  EventFd fd;
  std::vector<int> order;
  class Note final : public Watcher {
   public:
    Note(std::vector<int>& order, EventFd& fd) : order_(order), fd_(fd) {}
    void on_ready(std::uint32_t) noexcept override {
      fd_.clear();
      order_.push_back(1);
    }

   private:
    std::vector<int>& order_;
    EventFd& fd_;
  } note(order, fd);
  const Registration registration(loop, fd.fd(), note, EPOLLIN);
  Deferred later(loop, [&] {
    order.push_back(2);
    loop.stop();
  });
  loop.post([&] {
    fd.signal();
    later.schedule();
    later.schedule();  // once, however often
  });
  EXPECT_TRUE(run(loop));
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(Deferred, CancelledOrDestroyedWorkDoesNotRun) {
  Loop loop;
  int runs = 0;
  Deferred cancelled(loop, [&] { ++runs; });
  auto destroyed = std::make_unique<Deferred>(loop, [&] { ++runs; });
  Deferred stopper(loop, [&] { loop.stop(); });
  loop.post([&] {
    cancelled.schedule();
    destroyed->schedule();
    stopper.schedule();
    cancelled.cancel();
    destroyed.reset();
  });
  EXPECT_TRUE(run(loop));
  EXPECT_EQ(runs, 0);
  EXPECT_FALSE(cancelled.scheduled());
}

// Rescheduling itself, a Deferred runs once per turn; it may also destroy
// itself from its own callback.
TEST(Deferred, RescheduledRunsOncePerTurnAndMayDestroyItself) {
  Loop loop;
  int runs = 0;
  std::optional<Deferred> self;
  self.emplace(loop, [&] {
    if (++runs < 3) {
      self->schedule();
      return;
    }
    self.reset();
    loop.stop();
  });
  loop.post([&] { self->schedule(); });
  EXPECT_TRUE(run(loop));
  EXPECT_EQ(runs, 3);
}

TEST(Registration, RemembersItsMaskAndUnregistersItself) {
  Loop loop;
  EventFd fd;
  Recorder recorder(loop);
  {
    Registration registration(loop, fd.fd(), recorder);
    EXPECT_FALSE(registration.active());
    registration.watch(EPOLLOUT);
    EXPECT_TRUE(registration.active());
    EXPECT_EQ(registration.events(), static_cast<std::uint32_t>(EPOLLOUT));
    registration.watch(EPOLLIN);  // modified
    EXPECT_EQ(registration.events(), static_cast<std::uint32_t>(EPOLLIN));
    registration.cancel();
    EXPECT_FALSE(registration.active());
    registration.watch(EPOLLIN);  // registered again
    fd.signal();
    EXPECT_TRUE(run(loop));
    EXPECT_EQ(recorder.seen.size(), 1u);
  }
  // Gone with its Registration: nothing reports the still readable fd.
  recorder.seen.clear();
  Timer quiet(loop, [&] { loop.stop(); });
  quiet.arm_after(20ms);
  EXPECT_TRUE(run(loop));
  EXPECT_TRUE(recorder.seen.empty());
}

TEST(Timer, ArmByNeverMovesTheDeadlineLater) {
  Loop loop;
  Timer timer(loop, [] {});
  const auto now = loop.now();
  timer.arm_by(now + 10s);
  EXPECT_EQ(timer.when(), now + 10s);
  timer.arm_by(now + 20s);  // later: kept at 10 s
  EXPECT_EQ(timer.when(), now + 10s);
  timer.arm_by(now + 5s);  // earlier: moved
  EXPECT_EQ(timer.when(), now + 5s);
}

}  // namespace
}  // namespace netcook::event
