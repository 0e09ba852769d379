#pragma once

// State shared by all connections of one listener — the chat room — and how
// sessions and that state talk. Sessions send messages up through an Uplink;
// the Service answers by delivering bytes to any connection through a
// Courier. Drivers implement Uplink and Courier for their model (a direct
// call on one reactor thread, a mutex and an eventfd between threads, a
// socketpair between a fork child and the fork master), so a protocol with a
// Service runs under every model without any driver knowing the protocol.

#include "metrics/close_reason.hpp"

#include <cstdint>
#include <string_view>

namespace netcook::proto {

// Names one connection of a listener for as long as the listener runs.
using ConnectionId = std::uint64_t;

class Courier {
 public:
  // Queues `bytes` for connection `to` and gets them written. A connection
  // whose unsent output would exceed the listener's max_outbox is cut off
  // instead (and the Service then hears gone() for it). Unknown or
  // already-closed connections are ignored.
  virtual void deliver(ConnectionId to, std::string_view bytes) = 0;

 protected:
  ~Courier() = default;
};

class Service {
 public:
  virtual ~Service() = default;

  // Connection `from` sent `message` (its format is the protocol's). Drivers
  // call a Service from one thread at a time, and a connection's messages
  // in the order it sent them.
  virtual void message(ConnectionId from, std::string_view message, Courier& courier) = 0;

  // Connection `who` ended, whatever the reason (EOF, error, timeout, cut
  // off for not reading, its process killed). No message from it follows.
  virtual void gone(ConnectionId who, Courier& courier) = 0;

  // The listener's driver is going (`why`: shutdown or listener_removed)
  // and the Service with it, before the connections still open close:
  // they all leave for that reason. Called once, last; nothing can be
  // delivered any more.
  virtual void ended(metrics::CloseReason why) noexcept { (void)why; }

  // The Service asked to be woken (ServiceContext::wake): news reached it
  // from outside its connections (a chat room's link to other daemons), and
  // it may deliver now. Called like message(): on a thread the driver
  // calls the Service from, one thread at a time.
  virtual void woken(Courier& courier) { (void)courier; }
};

class Uplink {
 public:
  // Sends `message` to the listener's Service on behalf of this connection.
  virtual void send(std::string_view message) = 0;

 protected:
  ~Uplink() = default;
};

}  // namespace netcook::proto
