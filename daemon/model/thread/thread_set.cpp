#include "model/thread/thread_set.hpp"

#include <system_error>
#include <utility>

namespace netcook::model::thread {

struct ThreadSet::Start {
  ThreadSet* set;
  std::unique_ptr<Job> job;
  StackPool::Stack stack;
};

namespace {

// pthread attributes for a thread on `stack`, always destroyed.
class StackAttributes {
 public:
  explicit StackAttributes(const StackPool::Stack& stack) {
    ::pthread_attr_init(&attr_);
    if (const int error = ::pthread_attr_setstack(&attr_, stack.base, stack.size)) {
      ::pthread_attr_destroy(&attr_);
      throw std::system_error(error, std::generic_category(), "pthread_attr_setstack");
    }
  }
  StackAttributes(const StackAttributes&) = delete;
  StackAttributes& operator=(const StackAttributes&) = delete;
  ~StackAttributes() { ::pthread_attr_destroy(&attr_); }
  const pthread_attr_t* get() const noexcept { return &attr_; }

 private:
  pthread_attr_t attr_;
};

}  // namespace

void ThreadSet::spawn(std::unique_ptr<Job> job) {
  auto start = std::make_unique<Start>(Start{this, std::move(job), stacks_.take()});
  try {
    const StackAttributes attributes(start->stack);
    {
      std::lock_guard lock(mutex_);
      ++running_;
    }
    pthread_t id{};
    if (const int error = ::pthread_create(&id, attributes.get(), &trampoline, start.get())) {
      {
        std::lock_guard lock(mutex_);
        if (--running_ == 0) all_ended_.notify_all();
      }
      throw std::system_error(error, std::generic_category(), "pthread_create");
    }
  } catch (...) {
    stacks_.give_back(start->stack);
    throw;
  }
  [[maybe_unused]] Start* owned_by_thread = start.release();
}

void* ThreadSet::trampoline(void* raw) noexcept {
  std::unique_ptr<Start> start(static_cast<Start*>(raw));
  ThreadSet& set = *start->set;
  const StackPool::Stack stack = start->stack;
  start->job->run();
  start.reset();
  set.retire(stack);
  return nullptr;
}

// The last thing a thread does. The notification happens under the mutex:
// once it is released, join_all() may return and the set be destroyed, so
// nothing after the unlock touches `this`, but for joining the thread that
// ended before (its stack goes back to the pool, which join_all() waits for
// in its turn, as it joins this thread last).
void ThreadSet::retire(StackPool::Stack stack) noexcept {
  std::optional<Ended> previous;
  {
    std::lock_guard lock(mutex_);
    previous = std::exchange(ended_, Ended{::pthread_self(), stack});
    if (--running_ == 0) all_ended_.notify_all();
  }
  if (previous) join(*previous);
}

void ThreadSet::join(const Ended& ended) noexcept {
  ::pthread_join(ended.thread, nullptr);
  stacks_.give_back(ended.stack);
}

void ThreadSet::join_all() noexcept {
  std::unique_lock lock(mutex_);
  all_ended_.wait(lock, [this] { return running_ == 0; });
  const std::optional<Ended> last = std::exchange(ended_, std::nullopt);
  lock.unlock();
  // `last` joins the one before it before it ends, and so on down the chain.
  if (last) join(*last);
}

std::size_t ThreadSet::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

}  // namespace netcook::model::thread
