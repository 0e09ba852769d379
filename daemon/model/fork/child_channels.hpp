#pragma once

// The side channels of a connection process's poll loop (poll_loop.hpp):
// its link to the listener's hub in the fork master, when the listener has
// a Service, and the master's request to end (SIGTERM through a signalfd).

#include "model/poll_loop.hpp"
#include "net/fd.hpp"
#include "net/packet_queue.hpp"
#include "net/unique_fd.hpp"
#include "proto/service.hpp"

#include <chrono>
#include <span>

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

  pollfd watch(ConnectionCore& core) noexcept override;
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

// SIGTERM, blocked and taken through a signalfd: the fork master ends the
// connection, with the close reason as the signal's value (sigqueue(3)).
// A plain SIGTERM (kill(1)) counts as shutdown.
class Termination final : public SideChannel {
 public:
  // Blocks SIGTERM in this (single-threaded) process; throws std::system_error.
  Termination();

  pollfd watch(ConnectionCore& core) noexcept override;
  void ready(short revents, ConnectionCore& core, Clock::time_point now) noexcept override;

 private:
  net::UniqueFd signals_;
};

}  // namespace netcook::model::fork
