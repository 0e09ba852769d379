#pragma once

// The driver of the reactor models (epoll and coroutine): `workers`
// threads, each a Worker with its own event loop, sharing one listening
// socket and the listener's Service. The models differ only in their
// Worker; this owns the workers and what they share.
//
// Worker (a ReactorWorker, reactor_worker.hpp) must provide:
// Worker(ReactorShared&, unsigned index), start(), stop_accepting()
// (synchronous), halt() (stops the thread), heartbeat().

#include "model/driver.hpp"
#include "model/listener_state.hpp"
#include "model/service_desk.hpp"

#include <algorithm>
#include <memory>
#include <vector>

namespace netcook::model {

// What the workers of one reactor driver share; owned by the driver.
struct ReactorShared : ListenerState {
  ReactorShared(DriverSettings driver_settings, net::Fd listening, proto::Protocol p)
      : ListenerState(std::move(driver_settings), listening, std::move(p)),
        hall(protocol, {settings.metrics, settings.log.get(), {}}) {}

  ServiceHall hall;
};

template <typename Worker>
class ReactorDriver final : public Driver {
 public:
  static constexpr unsigned kMaxWorkers = 256;  // a ConnectionId's low byte names the worker

  ReactorDriver(DriverSettings settings, net::Fd listening, proto::Protocol protocol)
      : shared_(std::move(settings), listening, std::move(protocol)) {
    const unsigned count = std::clamp(shared_.settings.listener.workers, 1u, kMaxWorkers);
    for (unsigned i = 0; i < count; ++i) workers_.push_back(std::make_unique<Worker>(shared_, i));
    connect_wake();
  }

  // Every thread stops before any worker closes its connections, and the
  // Service goes first: at teardown nobody is told who left. The wake is
  // disconnected before: a late one touches no worker.
  ~ReactorDriver() override {
    shared_.hall.wake->disconnect();
    for (auto& worker : workers_) worker->halt();
    ServiceDesk::close(shared_.hall, shared_.end_reason);
    workers_.clear();
  }

  void start() override {
    for (auto& worker : workers_) worker->start();
  }

  void stop_accepting(CloseReason why) override {
    shared_.end_reason = why;
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
  // The Service's wake posts to worker 0's loop (queued until it runs),
  // whose desk calls woken(). The posted function runs only while that
  // worker's thread runs, which halt() ends before the desk goes.
  void connect_wake() {
    if (!shared_.hall.service) return;
    Worker& first = *workers_.front();
    shared_.hall.wake->connect([&first] {
      first.loop().post([&first] { first.desk().answer_wake(); });
    });
  }

  ReactorShared shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace netcook::model
