#pragma once

// Runs Tasks that nobody awaits — one per connection, an accept loop — and
// owns the ones still running.
//
// Ownership: spawn() wraps the Task in a small top-level coroutine that
// awaits it. That coroutine is linked into the Scope while it exists and
// destroys itself (and with it the Task's frame) when the Task completes.
// cancel() destroys every one still suspended, which destroys their Tasks'
// frames where they wait: each frame is destroyed exactly once, either way.

#include "co/task.hpp"

#include <cstddef>
#include <exception>
#include <functional>

namespace netcook::co {

class Scope {
 public:
  // Hears the exception a spawned Task ended with. Must not throw.
  using ErrorHandler = std::function<void(std::exception_ptr)>;

  explicit Scope(ErrorHandler on_error = {}) noexcept : on_error_(std::move(on_error)) {}
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  ~Scope() { cancel(); }

  // Starts `task` at once: it runs on the caller's thread until it first
  // suspends (or completes) before spawn() returns. Throws std::bad_alloc
  // only, before the task has started.
  void spawn(Task<void> task);

  // Destroys every task still running. Never call it from inside one of
  // them: only while none of this Scope's tasks is running (between two of
  // the loop's callbacks, or once the loop has stopped).
  void cancel() noexcept;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  // A hook in the list of running tasks (circular; head_ is the sentinel).
  struct Link {
    Link* prev = this;
    Link* next = this;
  };
  class Detached;

  static Detached run(Task<void> task, Scope& scope);
  void link(Link& node) noexcept;
  void unlink(Link& node) noexcept;
  void failed(std::exception_ptr error) noexcept;

  Link head_;
  std::size_t size_ = 0;
  ErrorHandler on_error_;
};

}  // namespace netcook::co
