#pragma once

// A one-shot timer on a Loop. Re-arming moves it; destroying it cancels it.
// Used only on its loop's thread.

#include <chrono>
#include <functional>
#include <map>

namespace netcook::event {

using Clock = std::chrono::steady_clock;

class Loop;

class Timer {
 public:
  Timer(Loop& loop, std::function<void()> callback);
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer();

  // Fires the callback once at `when` (or soon after). Replaces an earlier
  // arming.
  void arm_at(Clock::time_point when);
  void arm_after(Clock::duration delay);
  // Makes sure the callback fires at `when` or earlier: arms the timer at
  // `when` unless it is armed no later already. For a deadline that often
  // moves later (a connection's idle timeout, pushed on by every message):
  // the callback checks whether the real deadline has come, and re-arms
  // for it if not, so a busy connection costs one arming per period, not
  // one per message.
  void arm_by(Clock::time_point when);
  void cancel() noexcept;

  bool armed() const noexcept { return armed_; }
  Clock::time_point when() const noexcept { return when_; }

 private:
  friend class Loop;

  Loop& loop_;
  std::function<void()> callback_;
  Clock::time_point when_{};
  bool armed_ = false;
  std::multimap<Clock::time_point, Timer*>::iterator position_;
};

}  // namespace netcook::event
