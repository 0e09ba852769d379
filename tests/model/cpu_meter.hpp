#pragma once

// The CPU time a driver uses, as a share of one core, over a window: this
// test process (the driver's threads) and the fork master's process (where
// the fork model's listeners run; it is idle for the other models).

#include "driver_test.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

namespace netcook::test {

class CpuMeter {
 public:
  CpuMeter() : start_(std::chrono::steady_clock::now()), used_(used()) {}

  double share_of_one_core() const {
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start_;
    const std::chrono::duration<double> cpu = used() - used_;
    return cpu / wall;
  }

 private:
  static std::chrono::microseconds used() { return own() + master(); }

  static std::chrono::microseconds own() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const auto micros = [](const timeval& tv) {
      return std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
    };
    return micros(usage.ru_utime) + micros(usage.ru_stime);
  }

  // utime and stime (fields 14 and 15 of /proc/PID/stat), in clock ticks.
  static std::chrono::microseconds master() {
    std::ifstream file("/proc/" + std::to_string(fork_master().pid()) + "/stat");
    std::string stat;
    std::getline(file, stat);
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos) return {};
    std::istringstream fields(stat.substr(paren + 2));
    std::string skip;
    for (int field = 3; field < 14; ++field) fields >> skip;
    long user = 0, system = 0;
    fields >> user >> system;
    return std::chrono::microseconds((user + system) * 1'000'000 / ::sysconf(_SC_CLK_TCK));
  }

  std::chrono::steady_clock::time_point start_;
  std::chrono::microseconds used_;
};

}  // namespace netcook::test
