#pragma once

// The sans-I/O contract between a protocol and a concurrency model. A
// session is fed the bytes that arrive on one connection and answers by
// appending bytes to the connection's Outbox; it never touches a socket, a
// thread or a clock. The connection core (model/connection_core.hpp) owns
// the session and the Outbox; the models move the bytes.

#include "metrics/arena.hpp"
#include "metrics/close_reason.hpp"
#include "proto/outbox.hpp"
#include "proto/service.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace spdlog {
class logger;
}

namespace netcook::proto {

// A connection's allowance of input (flood control): one unit of input, a
// chat line, may be handled now when take() says so. The connection core
// keeps the tokens; a session that is refused one stops handling input and
// holds the rest (Session::holding) until the core calls resume().
class Pacer {
 public:
  virtual bool take() noexcept = 0;

 protected:
  ~Pacer() = default;
};

// How fast a protocol's sessions may handle input: `count` units a
// `period`, `burst` of them at once (a token bucket); count 0 is no limit,
// and no Pacer.
struct InputRate {
  std::uint32_t count = 0;
  std::chrono::nanoseconds period = std::chrono::seconds(1);
  std::uint32_t burst = 1;

  bool limited() const noexcept { return count != 0; }
};

// Facts about a connection a protocol may use (echo's prefix placeholders,
// chat's <name>@<ip>).
struct SessionContext {
  std::string_view listener;  // the listener's name
  std::string peer;           // "127.0.0.1:51234", "[::1]:5", "unix"
  std::string peer_host;      // "127.0.0.1", "::1", "unix"
  pid_t pid = 0;              // the process serving the connection
  std::string thread;         // the serving thread's name
  ConnectionId id = 0;        // unique within the listener
  // The way to the listener's Service; null when the protocol has none.
  // Valid for the session's lifetime.
  Uplink* uplink = nullptr;
  // The listener's logger in this process, for a protocol's own lines (the
  // HTTP access log); null when there is none. Valid for the session's
  // lifetime.
  spdlog::logger* log = nullptr;
  // The listener's counters, for what only the protocol sees (HTTP
  // requests by status, chat lines). Write to metrics.here().
  metrics::ListenerMetrics metrics;
  // The connection's input allowance when the protocol has an input_rate;
  // null otherwise. Valid for the session's lifetime; ask it only from
  // receive() and resume().
  Pacer* pacer = nullptr;
};

// Why the server ends a connection its peer did not end (the cases of
// model::CloseReason a session may want to explain).
enum class Ending {
  read_timeout,      // partial() stayed true for the listener's read_timeout
  idle_timeout,      // no byte moved either way for the idle_timeout
  shutdown,          // the daemon stops
  listener_removed,  // a reload removed or changed the listener
  outbox_overflow,   // the peer does not read what it is sent
};

class Session {
 public:
  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  virtual ~Session() = default;

  // The connection is established; a protocol may greet the peer.
  virtual void open(Outbox& out) { (void)out; }

  // `data` arrived from the peer (never empty).
  virtual void receive(std::string_view data, Outbox& out) = 0;

  // True while the session has stopped handling input because its Pacer
  // refused a token: it keeps what it has not handled, complete lines
  // included. The core then stops reading the socket (the kernel's buffers
  // and TCP flow control hold the rest), does not count the time against
  // the read or idle timeout, and calls resume() when a token is due.
  // Neither receive() nor peer_closed() is called while it holds.
  virtual bool holding() const noexcept { return false; }

  // Tokens are back: handle what is held, as far as the Pacer allows.
  virtual void resume(Outbox& out) { (void)out; }

  // The peer will send nothing more (EOF). A protocol may answer a last time.
  virtual void peer_closed(Outbox& out) { (void)out; }

  // True while a line or request has started to arrive but is incomplete:
  // the driver then applies the listener's read timeout (slowloris).
  virtual bool partial() const noexcept { return false; }

  // The server is ending the connection, which neither the peer nor the
  // session ended (`why`). A protocol may append its last words: HTTP's 408
  // on a read timeout, chat's goodbye line. After a timeout they get a short
  // while to leave (model::kDrainTime); otherwise what the socket takes at
  // once. Called at most once, and nothing is received after it.
  virtual void last_words(Ending why, Outbox& out) {
    (void)why;
    (void)out;
  }

  // The connection has closed for `why` (the core's close reason, the word
  // its end line gives) and the session is about to go: called once, last,
  // before it is destroyed, on the thread that served it; nothing may be
  // appended to an Outbox any more. A protocol with a Service may tell it
  // why through its Uplink (chat's leave line); the Service hears gone()
  // after the messages sent here. An exception is logged and ignored.
  virtual void closed(metrics::CloseReason why) { (void)why; }

  // True once the session wants the connection closed when its Outbox has
  // been written.
  bool closing() const noexcept { return closing_; }

 protected:
  void close_after_flush() noexcept { closing_ = true; }

 private:
  bool closing_ = false;
};

// Makes the session for a new connection. Called on the serving thread (or
// process); must be safe to call concurrently from several threads.
using SessionFactory = std::function<std::unique_ptr<Session>(const SessionContext&)>;

// What a listener's Service is made with, in the process that runs it (the
// fork master for a fork listener).
struct ServiceContext {
  // The listener's counters (chat joins, leaves, lines). Write to
  // metrics.here().
  metrics::ListenerMetrics metrics;
  // The listener's logger, for the Service's own events (chat joins and
  // leaves, with LISTENER=, PROTOCOL=, MODEL=); null when there is none.
  // Outlives the Service.
  spdlog::logger* log = nullptr;
  // Thread-safe: asks the driver to call the Service's woken() soon, from
  // any thread, at any time while the Service lives, but never from inside
  // a call the driver made to the Service (message, gone, woken, ended).
  // Cheap; several calls before woken() runs may be answered by one.
  // Empty only in tests that drive a Service by hand.
  std::function<void()> wake;
};

// Everything a driver needs to run one protocol on a listener.
struct Protocol {
  SessionFactory make_session;
  // Makes the listener's shared state, which counts into and logs with
  // what `context` names; empty for protocols without one (echo, http). A
  // driver makes exactly one per listener.
  std::function<std::unique_ptr<Service>(const ServiceContext& context)> make_service;
  // Sent, best effort, to a connection refused because max_connections is
  // reached (e.g. an HTTP 503); empty for a plain close.
  std::string refusal;
  // Sent, best effort, to a connection refused because its source has
  // max_connections_per_source open (HTTP 503), or has spent its
  // connection_rate (HTTP 429); empty for a plain close.
  std::string source_refusal;
  std::string rate_refusal;
  // Called in a process forked from the one that made this Protocol (a
  // fork-model connection process), after it closed the descriptors it
  // inherited and before it makes a session: per-process state made anew
  // (the http root's descriptor). Empty when there is none.
  std::function<void()> after_fork;
  // Flood control: how fast each session may handle its input (chat lines
  // per member); sessions get a Pacer when it is limited.
  InputRate input_rate;
};

}  // namespace netcook::proto
