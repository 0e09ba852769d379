#include "model/reactor_thread.hpp"

#include "model/thread_name.hpp"

#include <latch>

namespace netcook::model {

ReactorThread::ReactorThread(std::string name, spdlog::logger& log)
    : name_(std::move(name)), log_(log) {
  loop_.beat_into(heartbeat_);
}

void ReactorThread::start(event::Waiter* waiter) {
  thread_ = std::thread([this, waiter] { run(waiter); });
}

void ReactorThread::halt() noexcept {
  loop_.stop();
  if (thread_.joinable()) thread_.join();
}

void ReactorThread::run_there(const std::function<void()>& work) {
  if (!thread_.joinable()) {
    work();
    return;
  }
  std::latch done(1);
  loop_.post([&] {
    work();
    done.count_down();
  });
  done.wait();
}

void ReactorThread::run(event::Waiter* waiter) noexcept {
  set_thread_name(name_);
  try {
    loop_.run(waiter);
  } catch (const std::exception& e) {
    log_.critical("worker {} stopped: {}", name_, e.what());
  }
}

}  // namespace netcook::model
