#pragma once

// The side channels of a connection process's poll loop (poll_loop.hpp):
// its link to the listener's hub in the fork master, when the listener has
// a Service, and the master's request to end (SIGTERM).

#include "model/poll_loop.hpp"
#include "net/fd.hpp"
#include "net/packet_queue.hpp"
#include "net/unique_fd.hpp"
#include "proto/service.hpp"

#include <chrono>
#include <optional>
#include <span>

#include <signal.h>
#include <spdlog/logger.h>

namespace netcook::model::fork {

// The session's way to the Service (Uplink), and the Service's deliveries
// back. Messages wait in a queue while the link is full; while that queue
// holds max_outbox bytes, the connection stops reading its peer.
class HubLink final : public proto::Uplink, public SideChannel {
 public:
  // `buffer` (at least kMaxPacket bytes) takes one packet at a time.
  HubLink(net::Fd hub, std::size_t max_outbox, spdlog::logger& log, std::span<char> buffer);

  // Uplink: queues `message` for the Service; throws std::length_error
  // when it cannot fit one packet. A broken link shows up as its end of file.
  void send(std::string_view message) override;

  pollfd watch(ConnectionCore& core, Clock::time_point now) noexcept override;
  void ready(short revents, ConnectionCore& core, Clock::time_point now) noexcept override;

  // The connection is over: the master gets a bounded chance to take the
  // last messages (the session's goodbye).
  void flush_last(Clock::duration patience) noexcept;

 private:
  void take_deliveries(ConnectionCore& core, Clock::time_point now) noexcept;

  const net::Fd hub_;
  const std::size_t max_outbox_;
  spdlog::logger& log_;
  const std::span<char> buffer_;
  net::PacketQueue uplink_;
};

// SIGTERM, the fork master ending the connection, with the close reason as
// the signal's value (sigqueue(3)); a plain SIGTERM (kill(1)) counts as
// shutdown. The signal is blocked but inside the poll loop's wait
// (wait_mask() for ppoll(2), and the thread's mask while the loop waits in
// the connection's recv(2)), where its handler records the reason and
// ends a wait in recv (stop_waiting_read()): no descriptor in every poll,
// and no window where it is missed.
class Termination final : public SideChannel {
 public:
  // Installs the handler and blocks SIGTERM in this (single-threaded)
  // process; one Termination per process. Throws std::system_error.
  Termination();

  const sigset_t* wait_mask() const noexcept { return &wait_mask_; }

  // Ends the core once the signal came; waits on no descriptor.
  pollfd watch(ConnectionCore& core, Clock::time_point now) noexcept override;

 private:
  sigset_t wait_mask_;
};

// The reason a SIGTERM from the master carried, if one came: the handler's
// record, or the signal itself if it is still pending (a wait that returns
// for a descriptor leaves a signal that came meanwhile blocked).
std::optional<CloseReason> termination_reason() noexcept;

}  // namespace netcook::model::fork
