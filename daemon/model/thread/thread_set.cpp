#include "model/thread/thread_set.hpp"

#include <algorithm>
#include <climits>
#include <system_error>
#include <utility>

namespace netcook::model::thread {

struct ThreadSet::Start {
  ThreadSet* set;
  std::unique_ptr<Job> job;
};

namespace {

// pthread attributes that are always destroyed.
class StackAttributes {
 public:
  explicit StackAttributes(std::size_t stack_size) {
    ::pthread_attr_init(&attr_);
    const std::size_t size = std::max<std::size_t>(stack_size, PTHREAD_STACK_MIN);
    if (const int error = ::pthread_attr_setstacksize(&attr_, size)) {
      ::pthread_attr_destroy(&attr_);
      throw std::system_error(error, std::generic_category(), "pthread_attr_setstacksize");
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
  const StackAttributes attributes(stack_size_);
  auto start = std::make_unique<Start>(Start{this, std::move(job)});
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
  [[maybe_unused]] Start* owned_by_thread = start.release();
}

void* ThreadSet::trampoline(void* raw) noexcept {
  std::unique_ptr<Start> start(static_cast<Start*>(raw));
  ThreadSet& set = *start->set;
  start->job->run();
  start.reset();
  set.retire();
  return nullptr;
}

// The last thing a thread does. The notification happens under the mutex:
// once it is released, join_all() may return and the set be destroyed, so
// nothing after the unlock touches `this`.
void ThreadSet::retire() noexcept {
  std::optional<pthread_t> previous;
  {
    std::lock_guard lock(mutex_);
    previous = std::exchange(ended_, ::pthread_self());
    if (--running_ == 0) all_ended_.notify_all();
  }
  if (previous) ::pthread_join(*previous, nullptr);
}

void ThreadSet::join_all() noexcept {
  std::unique_lock lock(mutex_);
  all_ended_.wait(lock, [this] { return running_ == 0; });
  const std::optional<pthread_t> last = std::exchange(ended_, std::nullopt);
  lock.unlock();
  // `last` joins the one before it before it ends, and so on down the chain.
  if (last) ::pthread_join(*last, nullptr);
}

std::size_t ThreadSet::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

}  // namespace netcook::model::thread
