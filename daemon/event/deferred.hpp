#pragma once

// Work a Loop runs "soon": on its next turn, once it has polled for events
// again and dispatched them, so other sockets get their turn first. The
// way to give a busy connection another turn, or to gather work of one
// batch of events and do it once, instead of a timer due in a nanosecond.
//
// Scheduling a Deferred that is already scheduled does nothing; destroying
// one cancels it, and it may be destroyed by its own callback. No
// allocation per schedule(): the Deferred is its own link in the loop's
// list. Used on its loop's thread only.

#include <functional>

namespace netcook::event {

class Loop;

namespace detail {
// A place in a circular list of Deferreds; the list's head is one too.
struct DeferredLink {
  DeferredLink* prev = nullptr;
  DeferredLink* next = nullptr;
};
}  // namespace detail

class Deferred : private detail::DeferredLink {
 public:
  Deferred(Loop& loop, std::function<void()> callback) noexcept
      : loop_(loop), callback_(std::move(callback)) {}
  Deferred(const Deferred&) = delete;
  Deferred& operator=(const Deferred&) = delete;
  ~Deferred() { cancel(); }

  // Runs the callback on the loop's next turn (Loop::defer).
  void schedule() noexcept;
  void cancel() noexcept;
  // Linked into one of the loop's lists while scheduled.
  bool scheduled() const noexcept { return next != nullptr; }

 private:
  friend class Loop;

  Loop& loop_;
  std::function<void()> callback_;
};

}  // namespace netcook::event
