#pragma once

// Serves the one connection of a connection process: a poll(2) loop over
// the client socket and, when the listener has a Service, the hub socket to
// the fork master. Same rules as every model: idle and read timeouts, an
// outbox capped at max_outbox (reading stops while it is full; a Service
// delivery that would overflow it cuts the connection off), non-blocking
// sockets, MSG_NOSIGNAL.

#include "config/config.hpp"
#include "model/fork/packet_queue.hpp"
#include "proto/session.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <span>

#include <spdlog/logger.h>

namespace netcook::model::fork {

// Hub packets start with a tag, so that an empty message is still a
// packet (an empty SEQPACKET read means end of file).
inline constexpr char kMessageTag = 'm';   // child -> master: Uplink::send
inline constexpr char kDeliveryTag = 'd';  // master -> child: Courier::deliver

class ChildConnection final : public proto::Uplink {
 public:
  // Does not own the descriptors: the process exits with them open. `hub`
  // is -1 when the listener has no Service.
  ChildConnection(int client, int hub, const config::Limits& limits, spdlog::logger& log);

  // Makes the session (with this as its Uplink when there is a hub) and
  // serves the connection until it ends. Throws what the session throws.
  void serve(const proto::SessionFactory& make_session, proto::SessionContext context);

  // Uplink: queues a message for the listener's Service.
  void send(std::string_view message) override;

 private:
  using Clock = std::chrono::steady_clock;

  bool turn();
  bool wait();
  bool write_client() noexcept;
  bool read_client();
  bool read_hub();
  bool may_read() const noexcept;
  bool expired();
  int poll_timeout_ms() const noexcept;
  Clock::time_point deadline() const noexcept;
  void track_partial() noexcept;
  void finish() noexcept;

  const int client_;
  const int hub_;
  const config::Limits& limits_;
  spdlog::logger& log_;
  std::optional<PacketQueue> uplink_;
  std::unique_ptr<proto::Session> session_;
  proto::Outbox out_;
  Clock::time_point now_;
  Clock::time_point last_active_;
  std::optional<Clock::time_point> partial_since_;
  bool peer_eof_ = false;
  short client_revents_ = 0;
  short hub_revents_ = 0;
  // One hub packet, or a chunk of client input. Left uninitialised, so a
  // page becomes resident only once data is read into it: an idle
  // connection process does not pay for the whole buffer.
  const std::unique_ptr<char[]> scratch_storage_;
  const std::span<char> scratch_;
};

}  // namespace netcook::model::fork
