#pragma once

// Signals delivered through the event loop (signalfd), never through
// asynchronous handlers. block_signals() must run before any thread is
// created so that every thread inherits the blocked mask and the signals
// reach only the signalfd.

#include "event/loop.hpp"
#include "event/registration.hpp"
#include "net/unique_fd.hpp"

#include <functional>
#include <initializer_list>

#include <signal.h>

namespace netcook::event {

// Blocks `signals` in the calling thread (and so in threads it creates).
void block_signals(std::initializer_list<int> signals);

// Restores default dispositions and an empty mask: for forked children and
// exec'd programs.
void reset_signals() noexcept;

class SignalWatcher final : public Watcher {
 public:
  using Handler = std::function<void(int signal)>;

  // The signals must already be blocked (block_signals()).
  SignalWatcher(Loop& loop, std::initializer_list<int> signals, Handler handler);
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;
  ~SignalWatcher();

  void on_ready(std::uint32_t events) noexcept override;

 private:
  net::UniqueFd fd_;
  Handler handler_;
  Registration registration_;
};

}  // namespace netcook::event
