#pragma once

// The one interface between the server and the five concurrency models. A
// driver runs sessions made by a SessionFactory on connections accepted from
// one listening socket, within the listener's limits. It knows nothing about
// any protocol; protocols know nothing about drivers.

#include "config/config.hpp"
#include "event/heartbeat.hpp"
#include "proto/session.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

namespace netcook::model {

struct DriverSettings {
  std::string listener;  // the listener's name, for thread names and logs
  unsigned workers = 1;  // reactor threads (epoll, coroutine)
  config::Limits limits;
  // The listener's definition as text, for a process that must rebuild the
  // Protocol itself (the fork master, which cannot share the caller's
  // memory); opaque to drivers, read by the ProtocolLoader the server gives
  // the fork master.
  std::string spec;
  std::shared_ptr<spdlog::logger> log;
  // Called from any of the driver's threads when the last connection closes
  // after stop_accepting(). Must be cheap and thread-safe (post to a loop).
  std::function<void()> on_drained;
};

class Driver {
 public:
  Driver() = default;
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;
  // Closes every connection still open and joins the driver's threads.
  virtual ~Driver() = default;

  // Starts the driver's threads and begins accepting.
  virtual void start() = 0;

  // Stops accepting. When this returns, no thread of the driver calls accept
  // on the listening socket again, so the caller may close or reuse it.
  // Open connections carry on until they end or the driver is destroyed.
  virtual void stop_accepting() = 0;

  // Connections open right now.
  virtual std::size_t connections() const noexcept = 0;

  // The heartbeats of the driver's event loops (the threads that accept and
  // dispatch; for fork, the fork master's loop). The listener is alive while
  // every one of them beats. Valid until the driver is destroyed.
  virtual std::vector<event::Heartbeat*> heartbeats() = 0;
};

// Makes the driver for `model`. `listen_fd` is not owned: the caller keeps it
// open until stop_accepting() has returned or the driver is destroyed.
std::unique_ptr<Driver> make_driver(config::Model model, DriverSettings settings,
                                    int listen_fd, proto::Protocol protocol);

}  // namespace netcook::model
