#pragma once

// CPU time for a listener's counters. A thread that serves only one
// listener (a reactor worker, a connection's thread or process, the thread
// model's acceptor) keeps a CpuMeter and calls tick() where its loop beats:
// at most once a second it reads its own CPU clock (one system call) and
// adds what it used since to the listener's cpu_nsec; flush() adds the rest
// when it ends. Work done for a listener by a shared thread (the fork
// master's accepts and forks) is measured around it with thread_cpu_nsec().

#include "metrics/shard.hpp"

#include <chrono>
#include <cstdint>

namespace netcook::metrics {

// The calling thread's CPU time so far, in nanoseconds.
std::uint64_t thread_cpu_nsec() noexcept;

class CpuMeter {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts counting the calling thread's CPU into `cell`: what it uses
  // from now, or since_thread_start all of it (a thread or a process made
  // for one listener's work).
  enum Since { since_now, since_thread_start };
  explicit CpuMeter(Cell& cell, Since since = since_now) noexcept;
  CpuMeter(const CpuMeter&) = delete;
  CpuMeter& operator=(const CpuMeter&) = delete;
  ~CpuMeter() { flush(); }

  // From the measured thread: adds what it used if a second has passed.
  void tick(Clock::time_point now) noexcept {
    if (now >= next_) {
      next_ = now + std::chrono::seconds(1);
      flush();
    }
  }
  // From the measured thread: adds what it used since the last time.
  void flush() noexcept;

 private:
  Cell& cell_;
  std::uint64_t counted_;
  Clock::time_point next_;
};

}  // namespace netcook::metrics
