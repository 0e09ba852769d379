// co/: Task<T>, Scope, FdEvents, sleep and yield — on a real
// Loop over a socketpair.

#include "co/fd_events.hpp"
#include "co/scope.hpp"
#include "co/sleep.hpp"
#include "co/task.hpp"
#include "event/loop.hpp"
#include "net/unique_fd.hpp"

#include <array>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace netcook::co {
namespace {

using namespace std::chrono_literals;

// Counts destructions, to see frames destroyed exactly once.
struct Tracer {
  explicit Tracer(int& destroyed) : destroyed_(&destroyed) {}
  Tracer(Tracer&& other) noexcept : destroyed_(std::exchange(other.destroyed_, nullptr)) {}
  ~Tracer() {
    if (destroyed_) ++*destroyed_;
  }
  int* destroyed_;
};

Task<int> answer() { co_return 42; }

Task<int> doubled() { co_return 2 * co_await answer(); }

Task<void> store(Task<int> task, int& out) { out = co_await std::move(task); }

Task<int> thrower() {
  throw std::runtime_error("from the task");
  co_return 0;
}

// Spawns `task` and runs `loop` until it completes or 5 s pass; true when
// it completed.
bool run(event::Loop& loop, Task<void> task) {
  bool done = false;
  Scope scope;
  scope.spawn([](Task<void> inner, bool& finished, event::Loop& on) -> Task<void> {
    co_await std::move(inner);
    finished = true;
    on.stop();
  }(std::move(task), done, loop));
  if (!done) {
    event::Timer guard(loop, [&loop] { loop.stop(); });
    guard.arm_after(5s);
    loop.run();
  }
  return done;
}

struct SocketPair {
  SocketPair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
      throw std::runtime_error("socketpair");
    ours = net::UniqueFd(fds[0]);
    theirs = net::UniqueFd(fds[1]);
  }
  void send(std::string_view bytes) const {
    ASSERT_EQ(::send(theirs.get(), bytes.data(), bytes.size(), 0),
              static_cast<ssize_t>(bytes.size()));
  }
  net::UniqueFd ours;
  net::UniqueFd theirs;
};

// Writes to `ours` until it is full, and tells `events` so; returns the
// bytes written.
std::size_t fill(const SocketPair& pair, FdEvents& events) {
  const std::string chunk(64 * 1024, 'x');
  std::size_t written = 0;
  ssize_t sent = 0;
  while ((sent = ::send(pair.ours.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL)) > 0)
    written += static_cast<std::size_t>(sent);
  events.write_blocked();
  return written;
}

TEST(Task, IsLazyAndReturnsItsValue) {
  int value = 0;
  Task<void> task = store(doubled(), value);
  EXPECT_EQ(value, 0);  // nothing ran yet
  Scope scope;
  scope.spawn(std::move(task));  // completes without suspending
  EXPECT_EQ(value, 84);
  EXPECT_TRUE(scope.empty());
}

TEST(Task, RethrowsInTheAwaiter) {
  std::string caught;
  Scope scope;
  scope.spawn([](std::string& out) -> Task<void> {
    try {
      co_await thrower();
    } catch (const std::runtime_error& e) {
      out = e.what();
    }
  }(caught));
  EXPECT_EQ(caught, "from the task");
}

TEST(Task, DestroyingAnUnstartedTaskDestroysItsFrame) {
  int destroyed = 0;
  {
    auto task = [](Tracer) -> Task<void> { co_return; }(Tracer(destroyed));
    EXPECT_EQ(destroyed, 0);
  }
  EXPECT_EQ(destroyed, 1);
}

// Without symmetric transfer each completed await would nest a stack frame.
// Sanitizers keep the compiler from turning the transfer into a tail call,
// so there the chain is only long enough to check the results.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr long kChain = 1'000;
#else
constexpr long kChain = 1'000'000;
#endif

TEST(Task, LongChainsOfImmediateTasksUseNoStack) {
  long sum = 0;
  Scope scope;
  scope.spawn([](long& out) -> Task<void> {
    for (long i = 0; i < kChain; ++i) out += co_await answer();
  }(sum));
  EXPECT_EQ(sum, 42 * kChain);
}

TEST(Scope, ReportsAnExceptionAndCarriesOn) {
  std::string reported;
  Scope scope([&reported](std::exception_ptr error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      reported = e.what();
    }
  });
  scope.spawn([]() -> Task<void> { co_await thrower(); }());
  EXPECT_EQ(reported, "from the task");
  EXPECT_TRUE(scope.empty());
}

TEST(Scope, CancelDestroysSuspendedTasksOnce) {
  event::Loop loop;
  int destroyed = 0;
  {
    Scope scope;
    for (int i = 0; i < 3; ++i)
      scope.spawn([](Tracer, event::Loop& on) -> Task<void> {
        co_await sleep(on, 1h);
      }(Tracer(destroyed), loop));
    scope.spawn([](Tracer) -> Task<void> { co_return; }(Tracer(destroyed)));
    EXPECT_EQ(destroyed, 1);  // the one that completed
    EXPECT_EQ(scope.size(), 3u);
    scope.cancel();
    EXPECT_EQ(destroyed, 4);
    EXPECT_TRUE(scope.empty());
  }
  EXPECT_EQ(destroyed, 4);  // ~Scope finds nothing left
}

TEST(Sleep, WaitsAtLeastItsDuration) {
  event::Loop loop;
  const auto start = event::Clock::now();
  EXPECT_TRUE(run(loop, [](event::Loop& on) -> Task<void> { co_await sleep(on, 30ms); }(loop)));
  EXPECT_GE(event::Clock::now() - start, 30ms);
}

TEST(FdEvents, ReadableWhenDataArrives) {
  event::Loop loop;
  SocketPair pair;
  FdEvents events(loop, pair.ours.borrow());
  std::string got;
  event::Timer writer(loop, [&pair] { pair.send("hello"); });
  writer.arm_after(10ms);
  EXPECT_TRUE(run(loop, [](FdEvents& fd, std::string& out) -> Task<void> {
    std::array<char, 16> buffer{};
    fd.read_blocked();  // nothing there yet
    EXPECT_EQ(co_await fd.readable(), Ready::ready);
    const ssize_t size = ::recv(fd.fd().get(), buffer.data(), buffer.size(), 0);
    if (size > 0) out.assign(buffer.data(), static_cast<std::size_t>(size));
  }(events, got)));
  EXPECT_EQ(got, "hello");
}

TEST(FdEvents, DeadlineEndsAWaitWithTimeout) {
  event::Loop loop;
  SocketPair pair;
  FdEvents events(loop, pair.ours.borrow());
  events.read_blocked();
  Ready ready = Ready::ready;
  const auto start = event::Clock::now();
  EXPECT_TRUE(run(loop, [](FdEvents& fd, Ready& out) -> Task<void> {
    out = co_await fd.readable(fd.loop().now() + 30ms);
  }(events, ready)));
  EXPECT_EQ(ready, Ready::timeout);
  EXPECT_GE(event::Clock::now() - start, 30ms);
}

TEST(FdEvents, ReportsTimeoutThenTheHangup) {
  event::Loop loop;
  SocketPair pair;
  FdEvents events(loop, pair.ours.borrow());
  events.read_blocked();
  std::array<Ready, 2> seen{};
  EXPECT_TRUE(run(loop, [](FdEvents& fd, SocketPair& peer, std::array<Ready, 2>& out)
                            -> Task<void> {
    out[0] = co_await fd.readable(fd.loop().now() + 10ms);
    peer.theirs.reset();
    out[1] = co_await fd.readable(fd.loop().now() + 1s);
  }(events, pair, seen)));
  EXPECT_EQ(seen[0], Ready::timeout);
  EXPECT_EQ(seen[1], Ready::ready);
  EXPECT_TRUE(events.peer_hung_up());
  char byte = 0;
  EXPECT_EQ(::recv(pair.ours.get(), &byte, 1, 0), 0);  // end of file
}

TEST(FdEvents, WakeEndsAWaitLater) {
  event::Loop loop;
  SocketPair pair;
  FdEvents events(loop, pair.ours.borrow());
  events.read_blocked();
  bool waiting = false;
  Ready ready = Ready::ready;
  event::Timer waker(loop, [&] {
    EXPECT_TRUE(waiting);
    events.wake();
    EXPECT_TRUE(waiting);  // not resumed from inside wake()
  });
  waker.arm_after(10ms);
  EXPECT_TRUE(run(loop, [](FdEvents& fd, bool& flag, Ready& out) -> Task<void> {
    flag = true;
    out = co_await fd.readable(fd.loop().now() + 5s);
    flag = false;
  }(events, waiting, ready)));
  EXPECT_EQ(ready, Ready::woken);
}

TEST(FdEvents, WakeBeforeTheWaitIsNotLost) {
  event::Loop loop;
  SocketPair pair;
  FdEvents events(loop, pair.ours.borrow());
  events.read_blocked();
  events.wake();
  Ready ready = Ready::ready;
  Scope scope;
  scope.spawn([](FdEvents& fd, Ready& out) -> Task<void> {
    out = co_await fd.readable();
  }(events, ready));
  EXPECT_TRUE(scope.empty());  // did not suspend
  EXPECT_EQ(ready, Ready::woken);
}

TEST(FdEvents, WaitsForEitherDirection) {
  event::Loop loop;
  SocketPair pair;
  FdEvents events(loop, pair.ours.borrow());
  events.read_blocked();
  fill(pair, events);
  event::Timer writer(loop, [&pair] { pair.send("x"); });
  writer.arm_after(10ms);
  Ready ready = Ready::timeout;
  EXPECT_TRUE(run(loop, [](FdEvents& fd, Ready& out) -> Task<void> {
    out = co_await fd.wait(FdEvents::kRead | FdEvents::kWrite, fd.loop().now() + 5s);
  }(events, ready)));
  EXPECT_EQ(ready, Ready::ready);
  EXPECT_TRUE(events.maybe_readable());
  EXPECT_FALSE(events.maybe_writable());
}

TEST(FdEvents, WritableAgainOnceThePeerReads) {
  event::Loop loop;
  SocketPair pair;
  FdEvents events(loop, pair.ours.borrow());
  EXPECT_GT(fill(pair, events), 0u);
  EXPECT_FALSE(events.maybe_writable());
  event::Timer reader(loop, [&pair] {
    std::array<char, 64 * 1024> sink{};
    while (::recv(pair.theirs.get(), sink.data(), sink.size(), 0) > 0) {
    }
  });
  reader.arm_after(10ms);
  Ready ready = Ready::timeout;
  EXPECT_TRUE(run(loop, [](FdEvents& fd, Ready& out) -> Task<void> {
    out = co_await fd.writable(fd.loop().now() + 5s);
  }(events, ready)));
  EXPECT_EQ(ready, Ready::ready);
  EXPECT_GT(::send(pair.ours.get(), "x", 1, MSG_DONTWAIT | MSG_NOSIGNAL), 0);
}

// A frame destroyed while it waits (with its deadline armed) leaves nothing
// behind on the loop.
TEST(FdEvents, DestroyingAWaitingFrameDisarmsIt) {
  event::Loop loop;
  SocketPair pair;
  int destroyed = 0;
  {
    Scope scope;
    scope.spawn([](Tracer, event::Loop& on, net::Fd fd) -> Task<void> {
      FdEvents events(on, fd);
      events.read_blocked();
      co_await events.readable(on.now() + 20ms);
      ADD_FAILURE() << "resumed after cancel";
    }(Tracer(destroyed), loop, pair.ours.borrow()));
    EXPECT_EQ(scope.size(), 1u);
  }
  EXPECT_EQ(destroyed, 1);
  pair.send("late");  // would have woken it
  EXPECT_TRUE(run(loop, [](event::Loop& on) -> Task<void> { co_await sleep(on, 40ms); }(loop)));
}

}  // namespace
}  // namespace netcook::co
