#pragma once

// What the workers of the reactor models (epoll, coroutine) have in
// common: their thread and its loop, their desk at the listener's Service,
// and the naming of their connections. Each model adds how it accepts and
// waits.

#include "model/connection_core.hpp"
#include "model/reactor_driver.hpp"
#include "model/reactor_thread.hpp"
#include "model/service_desk.hpp"

#include <cstdint>

namespace netcook::model {

class ReactorWorker {
 public:
  ReactorWorker(const ReactorWorker&) = delete;
  ReactorWorker& operator=(const ReactorWorker&) = delete;

  // Stops the thread and waits for it; connections stay open until the
  // worker is destroyed.
  void halt() noexcept { thread_.halt(); }
  event::Heartbeat& heartbeat() noexcept { return thread_.heartbeat(); }

  // For its connections, on the worker's thread.
  event::Loop& loop() noexcept { return thread_.loop(); }
  ServiceDesk& desk() noexcept { return desk_; }

 protected:
  ReactorWorker(ReactorShared& shared, unsigned index);
  ~ReactorWorker() = default;

  // The Setup of a new connection of this worker on `socket` (readied):
  // its id names the worker in its low byte, which routes the Service's
  // deliveries here.
  NewConnection setup(net::Fd socket);

  ReactorShared& shared_;
  ReactorThread thread_;
  ServiceDesk desk_;

 private:
  const unsigned index_;
  std::uint64_t next_serial_ = 1;
};

}  // namespace netcook::model
