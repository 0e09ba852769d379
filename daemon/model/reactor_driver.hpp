#pragma once

// The driver of the reactor models (epoll and coroutine): `workers` threads,
// each a Worker with its own event loop, sharing one listening socket and
// the listener's Service. The models differ only in their Worker; this owns
// the workers and the state they share.
//
// Worker must provide: Worker(Shared&, unsigned index), start(),
// stop_accepting() (synchronous), halt() (stops the thread), heartbeat().
// Shared must be an aggregate of: settings, listen_fd, protocol, count,
// service, service_mutex, workers.

#include "model/connection_count.hpp"
#include "model/driver.hpp"

#include <algorithm>
#include <memory>
#include <vector>

namespace netcook::model {

template <typename Worker, typename Shared>
class ReactorDriver final : public Driver {
 public:
  static constexpr unsigned kMaxWorkers = 256;  // a ConnectionId's low byte names the worker

  ReactorDriver(DriverSettings settings, int listen_fd, proto::Protocol protocol)
      : shared_{settings,
                listen_fd,
                std::move(protocol),
                ConnectionCount(settings.limits.max_connections, settings.on_drained),
                {},
                {},
                {}} {
    if (shared_.protocol.make_service) shared_.service = shared_.protocol.make_service();
    for (unsigned i = 0; i < std::clamp(shared_.settings.workers, 1u, kMaxWorkers); ++i) {
      workers_.push_back(std::make_unique<Worker>(shared_, i));
      shared_.workers.push_back(workers_.back().get());
    }
  }

  // Every thread stops before any worker closes its connections, and the
  // Service goes first: at teardown nobody is told who left.
  ~ReactorDriver() override {
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

  std::vector<event::Heartbeat*> heartbeats() override {
    std::vector<event::Heartbeat*> result;
    for (auto& worker : workers_) result.push_back(&worker->heartbeat());
    return result;
  }

 private:
  Shared shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace netcook::model
