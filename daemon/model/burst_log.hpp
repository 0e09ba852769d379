#pragma once

// Logs a recurring condition (accept failing with EMFILE, connections
// refused at max_connections) once per burst instead of once per event: the
// first occurrence is logged, later ones are counted, and the count is
// reported when the burst is over: once `quiet` has passed without an
// occurrence (longer than any accept back-off, so retries that fail again
// stay in the same burst).

#include <chrono>
#include <cstdint>
#include <string>

#include <spdlog/logger.h>

namespace netcook::model {

class BurstLog {
 public:
  using Clock = std::chrono::steady_clock;

  explicit BurstLog(std::string what, Clock::duration quiet = std::chrono::seconds(5))
      : what_(std::move(what)), quiet_(quiet) {}

  // One more occurrence; `detail` describes it (e.g. strerror).
  void hit(spdlog::logger& log, Clock::time_point now, const std::string& detail);

  // Reports the end of a burst once `quiet` has passed without hits. Call it
  // whenever convenient (e.g. on the next successful accept).
  void settle(spdlog::logger& log, Clock::time_point now);

 private:
  std::string what_;
  Clock::duration quiet_;
  Clock::time_point last_{};
  std::uint64_t count_ = 0;  // hits in the current burst
};

}  // namespace netcook::model
