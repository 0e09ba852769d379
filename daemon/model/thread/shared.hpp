#pragma once

// What the threads of one thread-model driver share; owned by the driver,
// which outlives every thread that uses it.

#include "event/event_fd.hpp"
#include "model/listener_state.hpp"
#include "model/thread/hub.hpp"
#include "model/thread/thread_set.hpp"

#include <cstddef>

namespace netcook::model::thread {

// Connection threads run a session and a poll loop; a small stack lets
// 10,000 of them fit in a few GiB of address space (touched pages only
// are resident).
inline constexpr std::size_t kConnectionStack = 256 * 1024;

struct Shared : ListenerState {
  Shared(DriverSettings driver_settings, net::Fd listening, proto::Protocol p)
      : ListenerState(std::move(driver_settings), listening, std::move(p)),
        hub(protocol, {settings.metrics, settings.log.get(), {}}, *settings.log, settings.listener.name) {}

  Hub hub;
  // Signalled once when the driver is destroyed; every connection thread
  // polls it and ends, with end_reason. Never cleared.
  event::EventFd closing;
  ThreadSet threads{kConnectionStack};
};

}  // namespace netcook::model::thread
