#pragma once

// Load on echo listeners for the fault tests, each on threads of its own:
// ChurnLoad connects, echoes one line and closes, again and again (paced or
// flat out); HeldEcho keeps one connection open and echoes on it in a loop.
// Both count what succeeded and keep the first failure, so a test can say
// "nothing was lost while X happened" and show what was.

#include "client.hpp"
#include "deadline.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace netcook::test {

// What the server puts before the echoed line.
enum class EchoReply {
  exact,     // nothing: raw echo, or line mode without a prefix
  prefixed,  // "<word> " (line mode with a prefix such as "{pid} ")
};

// Sends `line` plus '\n' and reads the reply line; "" if it is the line
// echoed as `reply` says, else what went wrong. `word`, if given, gets the
// prefix word of a prefixed reply.
std::string echo_line(Client& client, const std::string& line, EchoReply reply,
                      std::string* word = nullptr, Timeout timeout = kWait);

struct LoadCounts {
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::string first_failure;  // "" if none failed
};

struct ChurnOptions {
  unsigned threads = 1;
  unsigned per_second = 0;  // connections started per second in all; 0: flat out
  std::uint64_t total = 0;  // connections in all; 0: until stop()
  EchoReply reply = EchoReply::exact;
};

// Connect, echo one line, shut down writing, wait for the server to close:
// one connection's whole life, repeated. Any step that fails or times out
// (kWait) counts the connection as failed.
class ChurnLoad {
 public:
  ChurnLoad(std::uint16_t port, ChurnOptions options);
  ~ChurnLoad() { stop(); }
  ChurnLoad(const ChurnLoad&) = delete;
  ChurnLoad& operator=(const ChurnLoad&) = delete;

  // Waits until `more` further connections have succeeded; false on a
  // failure or when `timeout` passes first.
  bool wait_successes(std::uint64_t more, Timeout timeout = kWait);
  // Waits until all `total` connections have ended (ok or failed); false on
  // timeout.
  bool wait_done(Timeout timeout);
  // Stops starting connections, joins the threads, returns the counts.
  LoadCounts stop();
  LoadCounts counts() const;

 private:
  void run();
  std::string one_connection(std::uint64_t index) const;

  const std::uint16_t port_;
  const ChurnOptions options_;
  const Clock::time_point start_ = Clock::now();
  std::atomic<std::uint64_t> next_{0};
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  LoadCounts counts_;
  std::vector<std::thread> threads_;  // last: they start once the rest is built
};

// One connection held open, echoing "tick N" a millisecond apart until
// stopped; the first wrong reply ends it.
class HeldEcho {
 public:
  HeldEcho(Client client, EchoReply reply);
  ~HeldEcho() { stop(); }
  HeldEcho(const HeldEcho&) = delete;
  HeldEcho& operator=(const HeldEcho&) = delete;

  std::uint64_t exchanges() const;
  // Waits until more than `count` exchanges have succeeded; false on a
  // failure or timeout.
  bool wait_past(std::uint64_t count, Timeout timeout = kWait);
  // Stops and joins; ok = exchanges, failed = 0 or 1.
  LoadCounts stop();

 private:
  void run();

  Client client_;
  const EchoReply reply_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  LoadCounts counts_;
  std::thread thread_;  // last
};

}  // namespace netcook::test
