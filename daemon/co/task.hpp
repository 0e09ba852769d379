#pragma once

// A lazy coroutine that produces a T or throws. Nothing runs until the Task
// is awaited (or handed to a Scope); when it completes, the coroutine that
// awaited it is resumed by symmetric transfer, so a chain of Tasks that
// complete at once uses no stack.
//
// A Task owns its frame: destroying the Task destroys the frame wherever it
// is suspended, running the destructors of its locals.

#include <coroutine>
#include <exception>
#include <utility>
#include <variant>

namespace netcook::co {

template <typename T = void>
class Task;

namespace detail {

// At the end of a Task: resumes whoever awaited it; with nobody, returns to
// whoever resumed it last.
struct ResumeAwaiting {
  bool await_ready() const noexcept { return false; }
  template <typename Promise>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> done) const noexcept {
    if (const auto awaiting = done.promise().awaiting) return awaiting;
    return std::noop_coroutine();
  }
  void await_resume() const noexcept {}
};

struct PromiseBase {
  std::coroutine_handle<> awaiting;  // not owned: it owns us

  std::suspend_always initial_suspend() const noexcept { return {}; }
  ResumeAwaiting final_suspend() const noexcept { return {}; }
};

template <typename T>
class Promise : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;

  template <typename U = T>
  void return_value(U&& value) {
    result_.template emplace<1>(std::forward<U>(value));
  }
  void unhandled_exception() noexcept { result_.template emplace<2>(std::current_exception()); }

  // The result, or the exception the coroutine ended with.
  T take() {
    if (result_.index() == 2) std::rethrow_exception(std::get<2>(result_));
    return std::move(std::get<1>(result_));
  }

 private:
  std::variant<std::monostate, T, std::exception_ptr> result_;
};

template <>
class Promise<void> : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;

  void return_void() const noexcept {}
  void unhandled_exception() noexcept { error_ = std::current_exception(); }

  void take() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::exception_ptr error_;
};

}  // namespace detail

template <typename T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() noexcept = default;
  explicit Task(Handle handle) noexcept : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  ~Task() { reset(); }

  bool valid() const noexcept { return static_cast<bool>(handle_); }

  // Starts the Task and suspends the awaiting coroutine until it completes;
  // returns its value or rethrows its exception. A Task is awaited once.
  auto operator co_await() && noexcept {
    struct Awaiter {
      Handle task;
      bool await_ready() const noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) const noexcept {
        task.promise().awaiting = awaiting;
        return task;
      }
      T await_resume() const { return task.promise().take(); }
    };
    return Awaiter{handle_};
  }

 private:
  void reset() noexcept {
    if (handle_) std::exchange(handle_, {}).destroy();
  }

  Handle handle_;
};

namespace detail {

template <typename T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}

inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

}  // namespace detail
}  // namespace netcook::co
