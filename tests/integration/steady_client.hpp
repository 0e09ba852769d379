#pragma once

// A normal HTTP client that keeps working while a test does something
// nasty to the same listener: on its own thread it asks for "/" on a fresh
// connection ten times a second until stopped, and counts the requests
// that failed or took longer than a bound (connect to the last byte).

#include "deadline.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace netcook::test {

struct SteadyResult {
  int requests = 0;
  int failures = 0;           // not 200, or not within the bound
  std::string first_failure;  // what went wrong first
  Clock::duration slowest{};
};

class SteadyClient {
 public:
  SteadyClient(std::uint16_t port, Timeout bound);
  ~SteadyClient();
  SteadyClient(const SteadyClient&) = delete;
  SteadyClient& operator=(const SteadyClient&) = delete;

  // Stops after the request in progress (if any) and returns the tally.
  SteadyResult stop();

 private:
  void run();
  // One request; empty on success, else what went wrong.
  std::string request() const;

  const std::uint16_t port_;
  const Timeout bound_;
  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  SteadyResult result_;
  std::thread thread_;  // last: starts once the rest is ready
};

}  // namespace netcook::test
