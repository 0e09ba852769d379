#pragma once

// The connection threads of one driver: started with small stacks (10,000
// of them must fit), and joined as they finish rather than at shutdown.
//
// A finishing thread leaves its handle in a one-place slot and joins the
// thread it finds there, so at most one finished thread is ever waiting to
// be joined, without a reaper thread. join_all() waits for the running ones
// and joins the last.

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>

#include <pthread.h>

namespace netcook::model::thread {

// What a thread runs. It is destroyed on that thread once run() returns.
class Job {
 public:
  virtual ~Job() = default;
  virtual void run() noexcept = 0;
};

class ThreadSet {
 public:
  // Stack size of each thread; raised to PTHREAD_STACK_MIN if smaller.
  explicit ThreadSet(std::size_t stack_size) noexcept : stack_size_(stack_size) {}
  ThreadSet(const ThreadSet&) = delete;
  ThreadSet& operator=(const ThreadSet&) = delete;
  ~ThreadSet() { join_all(); }

  // Runs `job` on a new thread. Throws std::system_error when the thread
  // cannot be created (the job is then destroyed here, unrun).
  void spawn(std::unique_ptr<Job> job);

  // Waits until every thread has ended and joins them all. Nothing may call
  // spawn() meanwhile.
  void join_all() noexcept;

  // Threads started and not yet ended.
  std::size_t running() const;

 private:
  struct Start;
  static void* trampoline(void* start) noexcept;
  void retire() noexcept;

  const std::size_t stack_size_;
  mutable std::mutex mutex_;
  std::condition_variable all_ended_;
  std::size_t running_ = 0;           // guarded
  std::optional<pthread_t> ended_;    // guarded: ended, not yet joined
};

}  // namespace netcook::model::thread
