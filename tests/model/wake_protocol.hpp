#pragma once

// A room whose news come from outside its connections, as a chat room's
// bus brings them: a thread of the Service's own publishes lines and calls
// ServiceContext::wake; woken() delivers what was published to every
// member. The driver-contract test for the wake (service_wake_test.cpp).
//
// A member's session sends "join" when it opens (the Service answers
// "hello <id>\n") and then each line it receives, as a command for the
// thread:
//   "news <n>"   publishes n lines "news <k>\n", k counting on from the
//                last one published, each followed by a wake;
//   "storm <n>"  wakes n times with nothing new, then publishes
//                "stormed <w>\n", w the woken() calls since the storm began;
//   "stream"     publishes news lines, a wake each, paced, until "halt",
//                which publishes "halted <k>\n", k the last one.
//
// When its thread starts it wakes at once (the driver may not run yet),
// and calls the wake the previous room of this process left behind: a
// wake whose listener is gone, or going.

#include "proto/session.hpp"

#include <functional>
#include <memory>
#include <mutex>

namespace netcook::test {

// Keeps a copy of the wake the room was made with, for a test that calls it
// after the driver is gone (in-process models; a fork room is made in the
// fork master, and this stays empty).
class WakeProbe {
 public:
  void keep(std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
  }
  std::function<void()> wake() const {
    std::lock_guard lock(mutex_);
    return wake_;
  }

 private:
  mutable std::mutex mutex_;
  std::function<void()> wake_;
};

proto::Protocol wake_protocol(std::shared_ptr<WakeProbe> probe = nullptr);

}  // namespace netcook::test
