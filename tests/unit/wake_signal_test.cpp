// The wake every driver gives a Service (model/wake_signal.hpp): one ring
// per batch of wakes, a wake before the driver connects rings on connect,
// none after it disconnects, and the function outlives the driver.

#include "model/wake_signal.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace netcook::model {
namespace {

TEST(WakeSignal, WakesUntilTakenRingOnce) {
  auto signal = WakeSignal::make();
  int rings = 0;
  signal->connect([&] { ++rings; });
  const auto wake = signal->handle();
  for (int i = 0; i < 10'000; ++i) wake();
  EXPECT_EQ(rings, 1);
  EXPECT_TRUE(signal->take());
  EXPECT_FALSE(signal->take());
  wake();  // after the turn took the batch: a new one
  EXPECT_EQ(rings, 2);
}

TEST(WakeSignal, AWakeBeforeConnectRingsOnConnect) {
  auto signal = WakeSignal::make();
  signal->handle()();
  int rings = 0;
  signal->connect([&] { ++rings; });
  EXPECT_EQ(rings, 1);
  EXPECT_TRUE(signal->take());
}

TEST(WakeSignal, NoRingOnceDisconnectedEvenAfterTheSignalIsDropped) {
  auto signal = WakeSignal::make();
  int rings = 0;
  signal->connect([&] { ++rings; });
  const auto wake = signal->handle();
  signal->disconnect();
  EXPECT_FALSE(signal->connected());
  signal.reset();  // the driver is gone; the Service's copy still works
  for (int i = 0; i < 3; ++i) wake();
  EXPECT_EQ(rings, 0);
}

TEST(WakeSignal, ARingThatThrowsLeavesTheNextWakeToRingAgain) {
  auto signal = WakeSignal::make();
  int rings = 0;
  signal->connect([&] {
    if (++rings == 1) throw std::runtime_error("out of memory");
  });
  const auto wake = signal->handle();
  EXPECT_THROW(wake(), std::runtime_error);
  wake();
  EXPECT_EQ(rings, 2);
}

TEST(WakeSignal, AFirstRingThatThrowsLeavesItDisconnected) {
  auto signal = WakeSignal::make();
  signal->handle()();
  EXPECT_THROW(signal->connect([] { throw std::runtime_error("no loop"); }), std::runtime_error);
  EXPECT_FALSE(signal->connected());
}

// Wakes from several threads while a driver thread takes them, and the
// driver disconnects midway: every wake before the last take was answered,
// and no ring runs after disconnect() returned.
TEST(WakeSignal, ConcurrentWakesAndADisconnect) {
  auto signal = WakeSignal::make();
  std::atomic<long> rings{0};
  std::atomic<bool> disconnected{false};
  std::atomic<long> rings_after{0};
  signal->connect([&] {
    rings.fetch_add(1);
    if (disconnected.load()) rings_after.fetch_add(1);
  });
  std::atomic<bool> stop{false};
  std::vector<std::thread> wakers;
  for (int t = 0; t < 3; ++t)
    wakers.emplace_back([&, wake = signal->handle()] {
      while (!stop.load()) wake();
    });
  long taken = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (taken < 100 && std::chrono::steady_clock::now() < until)
    if (signal->take()) ++taken;
  EXPECT_EQ(taken, 100);
  signal->disconnect();
  disconnected = true;
  for (int i = 0; i < 1000; ++i) signal->take();
  stop = true;
  for (auto& waker : wakers) waker.join();
  EXPECT_GE(rings.load(), 100);
  EXPECT_EQ(rings_after.load(), 0);
}

}  // namespace
}  // namespace netcook::model
