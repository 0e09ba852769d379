#pragma once

// The sans-I/O core of one connection, the same under every model. It owns
// the session, the Outbox, the connection's deadlines (idle, read, drain)
// and counters, and decides when and why the connection ends. It makes no
// system call: the model moves bytes between the socket and the core
// (pump.hpp) and waits for what the core wants next — the socket readable
// (wants_read), writable (wants_write), the time deadline() — until it is
// closed(), then destroys it.
//
// The life of a connection, as the core sees it:
//   open            reading and writing; deadline: idle, or read while a
//                   line or request is partial
//   held            (within open) the session ran out of input tokens
//                   (flood control, Protocol::input_rate): no reading, no
//                   read or idle deadline; the deadline is the next token,
//                   when the session resumes what it holds
//   finishing       the peer sent end of file or the session is done:
//                   no more reading; closes once the Outbox is written
//                   (peer_closed, session_closed) or at the idle deadline
//   ending          a timeout or the server ended it, or the peer did not
//                   read: the session's last words (HTTP's 408, chat's
//                   goodbye) are written until the drain deadline (after
//                   a timeout) or as far as the socket takes them at once
//                   (otherwise), then it closes with that reason
//   closed          reason() says why; the model closes the socket
// A session's exception or a failed read or write close it at once.
//
// A peer in proxy_protocol.from starts one step earlier, before the
// session exists:
//   header          its PROXY header is read (under read_timeout); the
//                   address it names becomes the peer (logs, the session,
//                   the listener's rules), which the listener's rules
//                   then vet (PeerVetting): admitted, the session is made
//                   and fed what followed the header; refused, the
//                   protocol's refusal goes out and it closes. A missing or
//                   malformed header closes it (proxy_header). Until it is
//                   admitted it counts as refused, not accepted.
// A TLS listener's connection has one more, after the header (if any):
//   handshake       the transport's handshake (pump.cpp drives it and
//                   tells the core how it went) must end within
//                   handshake_timeout; then the session is made and
//                   opened. A failed handshake (not TLS, a refused version
//                   or certificate, too slow, the peer gone) closes it
//                   (tls_handshake), counted as refused and logged once per
//                   burst of the listener, never per connection.
//
// Used by one thread at a time, the one that serves the connection.

#include "config/config.hpp"
#include "net/proxy_header.hpp"
#include "metrics/arena.hpp"
#include "model/close_reason.hpp"
#include "model/peer_vetting.hpp"
#include "model/source_guard.hpp"
#include "model/token_bucket.hpp"
#include "model/transport.hpp"
#include "net/cidr.hpp"
#include "proto/session.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/logger.h>
#include <sys/types.h>

namespace netcook::model {

using Clock = std::chrono::steady_clock;

// How long the last words of a connection a timeout ended may take to
// leave (HTTP's 408 to a client that still reads).
inline constexpr Clock::duration kDrainTime = std::chrono::seconds(1);

// How many bytes a connection moves before they are added to its
// listener's counters, if a second has not passed first.
inline constexpr std::uint64_t kByteBatch = 64 * 1024;

// A proto::Pacer for its session when the protocol paces input: a token
// bucket over the times the core is told.
class ConnectionCore final : private proto::Pacer {
 public:
  // Who the connection is and who serves it. Everything referred to must
  // outlive the core.
  struct Setup {
    const proto::Protocol& protocol;
    const config::Limits& limits;
    spdlog::logger& log;
    std::string_view listener;
    proto::ConnectionId id = 0;
    std::string peer;       // "127.0.0.1:51234", "[::1]:5", "unix"
    std::string peer_host;  // "127.0.0.1", "::1", "unix"
    pid_t pid = 0;          // the process serving it
    std::string thread;     // the thread serving it (or the process's name)
    // Ends the "connection from PEER" line: " served by tcp#3", or empty.
    std::string served_by;
    // The listener's counters: the core counts the connection (accepted,
    // closed by reason, duration) and its bytes.
    metrics::ListenerMetrics metrics{};
    // Set when the peer must start with a PROXY header (proxy_protocol.from)
    // or a TLS handshake: who vets the peer a header names and counts a
    // failed preamble; must outlive the core. The real peer's address (for
    // a header that names none: LOCAL, UNKNOWN).
    PeerVetting* vetting = nullptr;
    net::IpAddress peer_ip{};
    bool proxy_header = false;  // the peer starts with a PROXY header
    // Set for a TLS listener: the transport's handshake comes first, within
    // this long.
    std::optional<Clock::duration> handshake_timeout{};
  };

  // Makes the session, whose way to the listener's Service is `uplink`
  // (null when there is none), and its Pacer when the protocol has an
  // input_rate; throws what the protocol's factory throws.
  // With setup.proxy_header, the session is made once the PROXY header is
  // read and the peer admitted; with setup.handshake_timeout, once the
  // handshake is done; a failure then closes the connection.
  ConnectionCore(Setup setup, proto::Uplink* uplink, Clock::time_point now);
  ConnectionCore(const ConnectionCore&) = delete;
  ConnectionCore& operator=(const ConnectionCore&) = delete;
  // Tells the session why it closed (Session::closed), then counts and
  // logs how the connection ended (reason, duration, bytes).
  ~ConnectionCore();

  // What happened; each may close the connection. None throws.
  void open(Clock::time_point now) noexcept;  // greets the peer, if the protocol does
  void received(std::string_view data, Clock::time_point now) noexcept;
  // While awaiting_header(): bytes the socket holds, not yet taken from it.
  // Returns how many of them are the header's, which the caller must take
  // off the socket (no more: what follows is the transport's).
  std::size_t header_part(std::string_view peeked, Clock::time_point now) noexcept;
  // While awaiting_handshake(): the transport's handshake is done (the
  // session is made and opened), or failed for `why`.
  void handshake_done(Secured secured, Clock::time_point now) noexcept;
  void handshake_failed(const std::string& why, Clock::time_point now) noexcept;
  void peer_finished() noexcept;  // end of file from the peer
  void sent(std::size_t bytes, Clock::time_point now) noexcept;
  void failed(int error) noexcept;  // a read or write failed with errno `error`
  // deadline() has passed (a later time than it is harmless).
  void expire(Clock::time_point now) noexcept;
  // Bytes from the listener's Service. Cuts the connection off instead when
  // they would take the Outbox past max_outbox. Dropped, and false, once
  // the connection is ending or closed: nothing follows its last words.
  bool deliver(std::string_view bytes) noexcept;
  // The peer does not read what it is sent (a delivery did not fit): what
  // is queued is dropped but for the line being written, and the
  // connection ends (outbox_overflow) as end() does.
  void cut_off() noexcept;
  // The server ends the connection (shutdown, listener_removed): the
  // session says its last words, the model writes what the socket takes at
  // once (flush_now), then closes it.
  void end(CloseReason reason, Clock::time_point now) noexcept;
  // A model whose way to the Service is congested stops reading its peer
  // until it is not (backpressure on the Uplink).
  void hold_reading(bool hold) noexcept { held_ = hold; }

  // What it wants next.
  bool wants_read() const noexcept;
  bool wants_write() const noexcept { return !closed_ && !out_.empty(); }
  // When expire() is due: the nearest of the idle, read and drain deadlines
  // (while the session holds input for want of a token: the moment the
  // next one is due instead of idle and read) and, while some bytes are
  // not yet in the listener's counters, the moment they are added (at most
  // a second after the last batch); Clock::time_point::max() once closed.
  Clock::time_point deadline() const noexcept;
  bool closed() const noexcept { return closed_.has_value(); }
  // Its PROXY header is still awaited: the next bytes are the proxy's
  // plaintext, read from the socket itself (pump.cpp), not the transport.
  bool awaiting_header() const noexcept { return pending_ && pending_->header; }
  // Its transport's handshake is awaited (pump.cpp drives it).
  bool awaiting_handshake() const noexcept { return pending_ && !pending_->header; }
  // The end of a connection that did not fail: a transport may say goodbye
  // (TLS's close_notify) before the socket closes.
  bool ended_cleanly() const noexcept;
  // Why it closed, or is ending; shutdown if nothing decided it yet.
  CloseReason reason() const noexcept;

  proto::Outbox& outbox() noexcept { return out_; }
  proto::ConnectionId id() const noexcept { return id_; }
  // The peer's "ip:port", for the connection's log lines (log::PeerScope):
  // the one a PROXY header named, once read.
  const std::string& peer() const noexcept { return peer_; }
  std::uint64_t bytes_in() const noexcept { return bytes_in_; }
  std::uint64_t bytes_out() const noexcept { return bytes_out_; }
  Clock::time_point started() const noexcept { return started_; }
  // The listener's counters, in the shard of the thread that made the core.
  metrics::Shard& counters() const noexcept { return counters_; }

 private:
  // A connection waiting for its PROXY header, then for its handshake:
  // what making its session takes, and the header's bytes so far.
  struct Pending {
    Setup setup;
    proto::Uplink* uplink;
    std::string received;
    bool header = false;  // still awaiting the PROXY header
    Clock::time_point handshake_until = Clock::time_point::max();
  };

  void start_session(Setup& setup, proto::Uplink* uplink, std::string_view via);
  std::size_t read_header(std::string_view data, Clock::time_point now) noexcept;
  void admit_named_peer(const net::ProxyHeader& header, Clock::time_point now) noexcept;
  void start_handshake(Clock::time_point now) noexcept;
  void begin_session(Clock::time_point now) noexcept;
  void no_header(const std::string& why, Clock::time_point now) noexcept;
  void refuse(CloseReason why, const std::string& refusal) noexcept;
  void log_refused_end() const noexcept;
  bool take() noexcept override;  // proto::Pacer, for the session
  bool paced() const noexcept;    // the session holds input for want of a token
  void resume(Clock::time_point now) noexcept;
  template <typename Call>
  void call_session(Call call, Clock::time_point now) noexcept;
  void track_partial(Clock::time_point now) noexcept;
  void ending(CloseReason reason, Clock::time_point now, Clock::duration drain) noexcept;
  void settle() noexcept;
  void count_bytes(Clock::time_point now) noexcept;
  void flush_bytes() noexcept;
  void tell_session_closed() noexcept;
  void close(CloseReason reason) noexcept;
  void log_decision(const char* what, config::Duration limit) const noexcept;
  void log_session_failure() const noexcept;

  const config::Limits& limits_;
  spdlog::logger& log_;
  const proto::ConnectionId id_;
  std::string peer_;  // the real peer's until a PROXY header names another
  std::string via_;   // the proxy's, once a PROXY header named the peer
  metrics::Shard& counters_;  // of the thread that made it
  std::unique_ptr<Pending> pending_;  // while a PROXY header or handshake is awaited
  // What refusal an end before the session is: proxy_header while the
  // header is awaited, tls_handshake during the handshake.
  CloseReason preamble_ = CloseReason::proxy_header;
  std::unique_ptr<Secured> secured_;  // what a TLS handshake agreed on
  SourceHold source_hold_;  // a proxied peer's place among its source's
  bool admitted_ = false;   // counted as accepted (the session was made)
  bool refusal_counted_ = false;  // a proxied peer's refusal, by the vetting
  // The input allowance, when the protocol has an input_rate.
  std::optional<TokenBucket> tokens_;
  std::unique_ptr<proto::Session> session_;
  proto::Outbox out_;

  const Clock::time_point started_;
  Clock::time_point last_active_;
  Clock::time_point partial_since_{};
  Clock::time_point drain_until_ = Clock::time_point::max();
  Clock::time_point latest_;  // the latest time it was told: its end, once closed
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
  // What of them the listener's counters have (count_bytes), and when
  // they get the rest.
  std::uint64_t counted_in_ = 0;
  std::uint64_t counted_out_ = 0;
  Clock::time_point next_byte_count_{};

  // Set once the conversation is over (finishing or ending): the reason it
  // will close with once the Outbox is written.
  std::optional<CloseReason> finish_;
  std::optional<CloseReason> closed_;
  bool ending_ = false;  // finish_ was forced: the drain deadline applies
  bool peer_eof_ = false;
  bool partial_ = false;
  bool held_ = false;
};

}  // namespace netcook::model
