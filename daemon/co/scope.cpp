#include "co/scope.hpp"

namespace netcook::co {

// The top-level coroutine of a spawned Task. Its promise is the Scope's
// hook: linked when the frame is made, unlinked when the frame goes, whether
// it ends by itself (final_suspend does not suspend) or by cancel().
class Scope::Detached {
 public:
  class promise_type : public Link {
   public:
    promise_type(Task<void>&, Scope& scope) noexcept : scope_(scope) { scope_.link(*this); }
    ~promise_type() { scope_.unlink(*this); }
    promise_type(const promise_type&) = delete;
    promise_type& operator=(const promise_type&) = delete;

    Detached get_return_object() noexcept {
      return Detached{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    // run() catches everything.
    [[noreturn]] void unhandled_exception() const noexcept { std::terminate(); }

   private:
    Scope& scope_;
  };

  std::coroutine_handle<promise_type> handle;
};

Scope::Detached Scope::run(Task<void> task, Scope& scope) {
  try {
    co_await std::move(task);
  } catch (...) {
    scope.failed(std::current_exception());
  }
}

void Scope::spawn(Task<void> task) {
  // Lazy: linked but not started until it is resumed here.
  run(std::move(task), *this).handle.resume();
}

void Scope::cancel() noexcept {
  while (head_.next != &head_) {
    auto& promise = static_cast<Detached::promise_type&>(*head_.next);
    std::coroutine_handle<Detached::promise_type>::from_promise(promise).destroy();
  }
}

void Scope::link(Link& node) noexcept {
  node.prev = head_.prev;
  node.next = &head_;
  head_.prev->next = &node;
  head_.prev = &node;
  ++size_;
}

void Scope::unlink(Link& node) noexcept {
  node.prev->next = node.next;
  node.next->prev = node.prev;
  node.prev = node.next = &node;
  --size_;
}

void Scope::failed(std::exception_ptr error) noexcept {
  if (!on_error_) return;
  try {
    on_error_(std::move(error));
  } catch (...) {
    // Nobody is left to tell.
  }
}

}  // namespace netcook::co
