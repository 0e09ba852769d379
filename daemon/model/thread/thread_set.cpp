#include "model/thread/thread_set.hpp"

#include <array>
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
  reap();
  auto start = std::make_unique<Start>(Start{this, std::move(job), stacks_.take()});
  try {
    const StackAttributes attributes(start->stack);
    {
      std::lock_guard lock(mutex_);
      ended_.reserve(ended_.size() + running_ + 1);
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

// The last thing a thread does. Once the mutex is released after the
// notification, join_all() may return and the set be destroyed: so the
// reaping comes first, and nothing touches `this` after.
void ThreadSet::retire(StackPool::Stack stack) noexcept {
  reap();
  std::lock_guard lock(mutex_);
  ended_.push_back(Ended{::pthread_self(), stack});
  if (--running_ == 0) all_ended_.notify_all();
}

void ThreadSet::reap() noexcept {
  constexpr std::size_t kBatch = 16;
  std::array<StackPool::Stack, kBatch> exited;
  std::size_t count = 0;
  do {
    count = 0;
    {
      std::lock_guard lock(mutex_);
      for (std::size_t i = 0; i < ended_.size() && count < kBatch;) {
        if (::pthread_tryjoin_np(ended_[i].thread, nullptr) == 0) {
          exited[count++] = ended_[i].stack;
          ended_[i] = ended_.back();
          ended_.pop_back();
        } else {
          ++i;  // EBUSY: still on its way out
        }
      }
    }
    for (std::size_t i = 0; i < count; ++i) stacks_.give_back(exited[i]);
  } while (count == kBatch);
}

void ThreadSet::join_all() noexcept {
  std::unique_lock lock(mutex_);
  all_ended_.wait(lock, [this] { return running_ == 0; });
  std::vector<Ended> ended = std::move(ended_);
  ended_.clear();
  lock.unlock();
  for (const Ended& thread : ended) {
    ::pthread_join(thread.thread, nullptr);
    stacks_.give_back(thread.stack);
  }
}

std::size_t ThreadSet::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

}  // namespace netcook::model::thread
