#pragma once

// The listener's Service (a chat room) shared by every connection thread:
// called under one mutex, so one thread at a time and each connection's
// messages in order. Deliveries go to the receiver's Mailbox; the Service
// never waits for a socket.

#include "model/close_reason.hpp"
#include "model/thread/mailbox.hpp"
#include "proto/service.hpp"

#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include <spdlog/logger.h>

namespace netcook::model::thread {

class Hub final : private proto::Courier {
 public:
  // `service` may be null: the protocol has none, and the Hub does nothing.
  // `log` outlives the Hub.
  Hub(std::unique_ptr<proto::Service> service, spdlog::logger& log)
      : present_(service != nullptr), log_(log), service_(std::move(service)) {}

  // True when the protocol has a Service (fixed at construction).
  bool present() const noexcept { return present_; }

  // Connection `id` can now receive deliveries in `mailbox`, which must
  // outlive its leave().
  void join(proto::ConnectionId id, Mailbox& mailbox);

  // Connection `from` sends `message`. Exceptions from the Service reach the
  // caller (the session of `from`, whose connection then ends).
  void message(proto::ConnectionId from, std::string_view message);

  // Connection `id` ended: no more deliveries, and the Service hears gone()
  // if it had joined (a Service that throws is logged).
  void leave(proto::ConnectionId id) noexcept;

  // Destroys the Service (driver teardown) once it heard that its members
  // leave for `why`: later calls do nothing, so no one is told about
  // connections closed afterwards.
  void close(CloseReason why) noexcept;

 private:
  void deliver(proto::ConnectionId to, std::string_view bytes) override;

  const bool present_;
  spdlog::logger& log_;
  std::mutex mutex_;
  std::unique_ptr<proto::Service> service_;                        // guarded
  std::unordered_map<proto::ConnectionId, Mailbox*> members_;      // guarded
};

}  // namespace netcook::model::thread
