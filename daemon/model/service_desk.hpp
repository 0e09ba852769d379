#pragma once

// The listener's Service (a chat room) as the reactor models reach it:
// epoll and coroutine with any number of worker threads, select with its
// one. The driver makes one ServiceHall: the Service, called under one
// mutex. Each reactor thread has a ServiceDesk, through which its
// connections join, send their messages and leave, and which hands them
// the Service's deliveries: at once to its own connections, through the
// owning worker's inbox (and a post to its loop) to another worker's.
// A connection's id names its worker in its low byte.
//
// A delivery only queues bytes and wakes the receiver; a receiver cut off
// for not reading is closed by its own worker after the Service call, never
// inside it.
//
// The Service's wake (ServiceContext::wake) is the hall's WakeSignal: the
// driver connects it to one desk's thread (worker 0's loop, the select
// loop), whose turn calls woken() through that desk (answer_wake()), under
// the hall's mutex like any other call; that desk's Courier routes the
// deliveries to the other workers. The driver disconnects it before any
// worker goes, and close() ends the Service: a late wake does nothing.

#include "event/loop.hpp"
#include "model/close_reason.hpp"
#include "model/wake_signal.hpp"
#include "proto/service.hpp"
#include "proto/session.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <spdlog/logger.h>

namespace netcook::model {

class ServiceDesk;

// What the workers of one driver share. `service` is null for a protocol
// without one: then nobody joins and nothing is delivered.
struct ServiceHall {
  // Makes the protocol's Service, if it has one, with `context` and the
  // hall's wake.
  ServiceHall(const proto::Protocol& protocol, proto::ServiceContext context)
      : service(make(protocol, std::move(context), wake)) {}

  // Shared with the Service's wake, which may outlive the hall; connected by
  // the driver once its threads exist, disconnected at teardown.
  const std::shared_ptr<WakeSignal> wake = WakeSignal::make();
  std::unique_ptr<proto::Service> service;  // guarded by mutex
  std::mutex mutex;
  std::vector<ServiceDesk*> desks;  // by worker index, filled before any thread starts

 private:
  static std::unique_ptr<proto::Service> make(const proto::Protocol& protocol,
                                              proto::ServiceContext context,
                                              const std::shared_ptr<WakeSignal>& wake) {
    if (!protocol.make_service) return nullptr;
    context.wake = wake->handle();
    return protocol.make_service(context);
  }
};

class ServiceDesk final : private proto::Courier {
 public:
  // A connection as the Service reaches it, on its worker's thread.
  class Member {
   public:
    // Bytes for the peer: queue them (ConnectionCore::deliver) and give the
    // connection a turn soon.
    virtual void deliver(std::string_view bytes) noexcept = 0;

   protected:
    ~Member() = default;
  };

  // `loop` is the worker's, for deliveries from other workers; null for a
  // single-threaded driver that has no other worker (select).
  ServiceDesk(ServiceHall& hall, unsigned index, event::Loop* loop, spdlog::logger& log);

  bool present() const noexcept { return hall_.service != nullptr; }

  // Connection `id` of this worker can now receive deliveries.
  void join(proto::ConnectionId id, Member& member);
  // Connection `id` sends `message` to the Service. Throws what the
  // Service throws (the sender's session then fails).
  void send(proto::ConnectionId from, std::string_view message);
  // Connection `id` ended: no more deliveries; the Service hears gone(),
  // unless the hall is closed.
  void leave(proto::ConnectionId id) noexcept;

  // On this desk's thread, the one the hall's wake rings: the Service's
  // woken() if a wake is pending (and the Service is still there).
  void answer_wake() noexcept;

  // Driver teardown, every thread stopped: the Service hears that its
  // members leave for `why` and goes first, so nobody is told who left as
  // the connections close.
  static void close(ServiceHall& hall, CloseReason why) noexcept;

 private:
  void deliver(proto::ConnectionId to, std::string_view bytes) override;
  void deliver_here(proto::ConnectionId to, std::string_view bytes) noexcept;
  void post(proto::ConnectionId to, std::string_view bytes);
  void take_posted() noexcept;

  ServiceHall& hall_;
  const unsigned index_;
  event::Loop* const loop_;
  spdlog::logger& log_;
  std::unordered_map<proto::ConnectionId, Member*> members_;  // this worker's
  // Deliveries other workers made for this one's connections, oldest first.
  std::mutex inbox_mutex_;
  std::vector<std::pair<proto::ConnectionId, std::string>> inbox_;  // guarded
};

}  // namespace netcook::model
