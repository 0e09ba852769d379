#pragma once

// What the threads of one thread-model driver share; owned by the driver,
// which outlives every thread that uses it.

#include "model/connection_count.hpp"
#include "model/driver.hpp"
#include "model/thread/hub.hpp"
#include "model/thread/thread_set.hpp"
#include "model/thread/wakeup.hpp"

#include <cstddef>

namespace netcook::model::thread {

// Connection threads run a session and a poll loop; a small stack lets
// 10,000 of them fit in a few GiB of address space (touched pages only
// are resident).
inline constexpr std::size_t kConnectionStack = 256 * 1024;

struct Shared {
  Shared(DriverSettings driver_settings, int listening_fd, proto::Protocol listener_protocol)
      : settings(std::move(driver_settings)),
        listen_fd(listening_fd),
        protocol(std::move(listener_protocol)),
        count(settings.limits.max_connections, settings.on_drained),
        hub(protocol.make_service ? protocol.make_service() : nullptr) {}

  const DriverSettings settings;
  const int listen_fd;  // not owned
  const proto::Protocol protocol;
  ConnectionCount count;
  Hub hub;
  // Signalled once when the driver is destroyed; every connection thread
  // polls it and ends. Never cleared.
  Wakeup closing;
  ThreadSet threads{kConnectionStack};
};

}  // namespace netcook::model::thread
