#include "model/coroutine/driver.hpp"

#include "model/coroutine/worker.hpp"

#include <algorithm>
#include <vector>

namespace netcook::model::coroutine {
namespace {

class CoroutineDriver final : public Driver {
 public:
  CoroutineDriver(DriverSettings settings, int listen_fd, proto::Protocol protocol)
      : shared_{settings, listen_fd, std::move(protocol),
                ConnectionCount(settings.limits.max_connections, settings.on_drained), {}, {}, {}} {
    if (shared_.protocol.make_service) shared_.service = shared_.protocol.make_service();
    for (unsigned i = 0; i < std::clamp(shared_.settings.workers, 1u, 256u); ++i) {
      workers_.push_back(std::make_unique<Worker>(shared_, i));
      shared_.workers.push_back(workers_.back().get());
    }
  }

  // Every thread stops before any worker destroys its coroutines, and the
  // Service goes first: at teardown nobody is told who left.
  ~CoroutineDriver() override {
    for (auto& worker : workers_) worker->halt();
    shared_.service.reset();
    workers_.clear();
  }

  void start() override {
    for (auto& worker : workers_) worker->start();
  }

  void stop_accepting() override {
    for (auto& worker : workers_) worker->stop_accepting();
    shared_.count.drain();
  }

  std::size_t connections() const noexcept override { return shared_.count.open(); }

 private:
  Shared shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace

std::unique_ptr<Driver> make_coroutine_driver(DriverSettings settings, int listen_fd,
                                              proto::Protocol protocol) {
  return std::make_unique<CoroutineDriver>(std::move(settings), listen_fd, std::move(protocol));
}

}  // namespace netcook::model::coroutine
