#include "model/select/driver.hpp"

#include "metrics/cpu.hpp"
#include "model/select/reactor.hpp"
#include "model/thread_name.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace netcook::model::select_model {
namespace {

// Runs the Reactor on its thread and passes it requests from other threads:
// a flag under the mutex, then the eventfd to wake select(2). The loop takes
// requests between turns, so it never accepts after acknowledging
// stop_accepting().
class SelectDriver final : public Driver {
 public:
  SelectDriver(DriverSettings settings, net::Fd listening, proto::Protocol protocol)
      : metrics_(settings.metrics),
        reactor_(std::make_unique<Reactor>(std::move(settings), listening, std::move(protocol))) {}

  ~SelectDriver() override {
    {
      std::lock_guard lock(mutex_);
      halt_requested_ = true;
    }
    reactor_->wake_up();
    if (thread_.joinable()) thread_.join();
    reactor_.reset();  // the Service first, then the connections
  }

  void start() override {
    std::lock_guard lock(mutex_);
    if (stop_requested_) return;  // stop_accepting() came first: nothing to run
    reactor_->prepare();
    running_ = true;
    try {
      thread_ = std::thread([this] { run(); });
    } catch (...) {
      running_ = false;
      throw;
    }
  }

  void stop_accepting(CloseReason why) override {
    {
      std::unique_lock lock(mutex_);
      stop_requested_ = true;
      why_ = why;
      if (running_) {
        reactor_->wake_up();
        done_.wait(lock, [this] { return accept_stopped_ || !running_; });
      }
      // The loop is not running (any more): nobody else touches the Reactor.
      if (!accept_stopped_) reactor_->stop_accepting(why_);
      accept_stopped_ = true;
    }
    reactor_->drain();
  }

  std::size_t connections() const noexcept override { return reactor_->connections(); }

  std::vector<event::Heartbeat*> heartbeats() override { return {&reactor_->heartbeat()}; }

 private:
  void run() noexcept {
    set_thread_name(reactor_->thread_name());
    try {
      metrics::CpuMeter cpu(metrics_.here().cpu_nsec);
      while (take_requests()) {
        reactor_->turn();
        cpu.tick(Clock::now());
      }
    } catch (const std::exception& e) {
      reactor_->log().critical("select loop {} stopped: {}", reactor_->thread_name(), e.what());
    }
    std::lock_guard lock(mutex_);
    running_ = false;
    done_.notify_all();
  }

  // Between turns: acts on requests; false when the loop must end.
  bool take_requests() {
    std::lock_guard lock(mutex_);
    if (stop_requested_ && !accept_stopped_) {
      reactor_->stop_accepting(why_);
      accept_stopped_ = true;
      done_.notify_all();
    }
    return !halt_requested_;
  }

  const metrics::ListenerMetrics metrics_;
  std::unique_ptr<Reactor> reactor_;
  std::mutex mutex_;
  std::condition_variable done_;
  bool running_ = false;         // guarded by mutex_
  bool stop_requested_ = false;  // guarded
  bool accept_stopped_ = false;  // guarded
  bool halt_requested_ = false;  // guarded
  CloseReason why_ = CloseReason::shutdown;  // guarded
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Driver> make_select_driver(DriverSettings settings, net::Fd listening,
                                           proto::Protocol protocol) {
  return std::make_unique<SelectDriver>(std::move(settings), listening, std::move(protocol));
}

}  // namespace netcook::model::select_model
