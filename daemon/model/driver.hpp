#pragma once

// The one interface between the server and the five concurrency models. A
// driver runs sessions made by a Protocol on connections accepted from one
// listening socket, within the listener's limits. It knows nothing about
// any protocol; protocols know nothing about drivers.

#include "config/config.hpp"
#include "event/heartbeat.hpp"
#include "event/loop.hpp"
#include "metrics/arena.hpp"
#include "model/close_reason.hpp"
#include "model/tls_setup.hpp"
#include "net/fd.hpp"
#include "proto/session.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

namespace netcook::model {

namespace fork {
class Master;
}

struct DriverSettings {
  // The listener as validated: its name names the driver's threads, its
  // `workers` the reactor threads (epoll, coroutine); the fork master
  // rebuilds the Protocol from it in its own process.
  config::Listener listener;
  // What the driver enforces: the listener's limits as its protocol adjusts
  // them (server/protocols.hpp, driver_limits()).
  config::Limits limits;
  std::shared_ptr<spdlog::logger> log;
  // Called from any of the driver's threads when the last connection closes
  // after stop_accepting(). Must be cheap and thread-safe (post to a loop).
  std::function<void()> on_drained;
  // Where the listener's figures are counted (metrics/arena.hpp).
  metrics::ListenerMetrics metrics;
  // A TLS listener's context and handshake timeout, which a reload renews
  // in place (tls_setup.hpp); null for a plain listener.
  std::shared_ptr<TlsSlot> tls;
};

// What the drivers of a daemon share beyond one listener: the fork master,
// which must have been forked at start-up (fork/master.hpp); null when the
// daemon has none (then a fork driver cannot be made); and the metrics.
// Outlives every driver made with it.
struct Environment {
  fork::Master* fork_master = nullptr;
  // Where listeners count their figures: mapped before the fork master was
  // forked, so that it and its connection processes count into it too.
  // Null in tests that do not count.
  metrics::Arena* arena = nullptr;
  // The main thread's loop (the server's), where a chat room shared over a
  // bus links to it; null in tests without one.
  event::Loop* home = nullptr;
};

class Driver {
 public:
  Driver() = default;
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;
  // Closes every connection still open, with the reason stop_accepting()
  // was given (shutdown if it was not called), and joins the driver's
  // threads.
  virtual ~Driver() = default;

  // Starts the driver's threads and begins accepting.
  virtual void start() = 0;

  // Stops accepting. When this returns, no thread of the driver calls accept
  // on the listening socket again, so the caller may close or reuse it.
  // Open connections carry on until they end or the driver is destroyed;
  // `why` (shutdown or listener_removed) is then their close reason.
  virtual void stop_accepting(CloseReason why) = 0;

  // Connections open right now.
  virtual std::size_t connections() const noexcept = 0;

  // A reload renewed a TLS listener's settings (`listener` as the reload
  // read it): connections adopted from now on take the slot's new setup.
  // The drivers in this process share the slot and have nothing to do; the
  // fork driver has the fork master load it too. Throws with the reason
  // when that fails (the master's connections keep the old one).
  virtual void tls_renewed(const config::Listener& listener) { static_cast<void>(listener); }

  // The heartbeats of the driver's event loops (the threads that accept and
  // dispatch; for fork, the fork master's loop). The listener is alive while
  // every one of them beats. Valid until the driver is destroyed.
  virtual std::vector<event::Heartbeat*> heartbeats() = 0;
};

// Makes the driver for `model`. `listening` is not owned: the caller keeps
// it open until stop_accepting() has returned or the driver is destroyed.
// Throws with context when the driver cannot be made.
std::unique_ptr<Driver> make_driver(config::Model model, DriverSettings settings, net::Fd listening,
                                    proto::Protocol protocol, const Environment& environment);

}  // namespace netcook::model
