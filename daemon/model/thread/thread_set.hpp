#pragma once

// The connection threads of one driver: started with small stacks (10,000
// of them must fit) from a StackPool, and joined as they finish rather than
// at shutdown.
//
// A finishing thread leaves its handle in a list of ended threads. Those
// that have exited are joined, without waiting, and their stacks given back,
// by the next thread to finish and before every spawn(): so only threads
// still on their way out stay in the list, and nobody blocks on one (a
// blocking join of the thread that ended just before cost a futex wait and
// a switch on one connection in two). join_all() waits for the running
// ones and joins the rest.

#include "model/thread/stack_pool.hpp"

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

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
  explicit ThreadSet(std::size_t stack_size) noexcept : stacks_(stack_size) {}
  ThreadSet(const ThreadSet&) = delete;
  ThreadSet& operator=(const ThreadSet&) = delete;
  ~ThreadSet() { join_all(); }

  // Runs `job` on a new thread. Throws std::system_error when the thread
  // (or its stack) cannot be made (the job is then destroyed here, unrun).
  void spawn(std::unique_ptr<Job> job);

  // Waits until every thread has ended and joins them all. Nothing may call
  // spawn() meanwhile.
  void join_all() noexcept;

  // Threads started and not yet ended.
  std::size_t running() const;

 private:
  struct Start;
  // A thread that has ended but is not yet joined, and its stack.
  struct Ended {
    pthread_t thread;
    StackPool::Stack stack;
  };
  static void* trampoline(void* start) noexcept;
  void retire(StackPool::Stack stack) noexcept;
  // Joins the ended threads that have exited and gives their stacks back.
  void reap() noexcept;

  StackPool stacks_;  // outlives every thread: destroyed last
  mutable std::mutex mutex_;
  std::condition_variable all_ended_;
  std::size_t running_ = 0;       // guarded
  // Guarded; its capacity always covers every running thread, so that
  // retire() never allocates.
  std::vector<Ended> ended_;
};

}  // namespace netcook::model::thread
