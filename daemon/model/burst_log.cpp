#include "model/burst_log.hpp"

namespace netcook::model {

void BurstLog::hit(spdlog::logger& log, Clock::time_point now,
                   const std::string& detail) {
  settle(log, now);
  if (count_++ == 0)
    log.warn("{}: {} (further occurrences are counted, not logged)", what_, detail);
  last_ = now;
}

void BurstLog::settle(spdlog::logger& log, Clock::time_point now) {
  if (count_ == 0 || now - last_ < quiet_) return;
  if (count_ > 1) log.warn("{}: {} times in the last burst", what_, count_);
  count_ = 0;
}

}  // namespace netcook::model
