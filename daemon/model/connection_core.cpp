#include "model/connection_core.hpp"

#include "config/units.hpp"
#include "log/fields.hpp"
#include "net/address.hpp"

#include <cerrno>
#include <cstring>
#include <exception>

namespace netcook::model {
namespace {

// The shortest way to say how long, as the configuration writes it.
std::string as_written(Clock::duration duration) {
  return config::format_duration(std::chrono::duration_cast<config::Duration>(duration));
}

// What a session is told when the server ends the connection for `reason`;
// nothing for the reasons the server does not decide.
std::optional<proto::Ending> as_ending(CloseReason reason) noexcept {
  switch (reason) {
    case CloseReason::read_timeout:
      return proto::Ending::read_timeout;
    case CloseReason::idle_timeout:
      return proto::Ending::idle_timeout;
    case CloseReason::shutdown:
      return proto::Ending::shutdown;
    case CloseReason::listener_removed:
      return proto::Ending::listener_removed;
    case CloseReason::outbox_overflow:
      return proto::Ending::outbox_overflow;
    default:
      return std::nullopt;
  }
}

}  // namespace

ConnectionCore::ConnectionCore(Setup setup, proto::Uplink* uplink, Clock::time_point now)
    : limits_(setup.limits),
      log_(setup.log),
      id_(setup.id),
      peer_(setup.peer),
      counters_(setup.metrics.here()),
      started_(now),
      last_active_(now),
      latest_(now) {
  if (setup.proxy_header || setup.handshake_timeout) {
    const bool header = setup.proxy_header;
    pending_ = std::make_unique<Pending>(Pending{std::move(setup), uplink, {}, header});
    const log::PeerScope scope(peer_);
    if (header) {
      // The header is read under read_timeout, as a partial request is.
      partial_ = true;
      partial_since_ = now;
      log_.debug("connection from {}{}: awaiting its PROXY header", peer_,
                 pending_->setup.served_by);
    } else {
      log_.debug("connection from {}{}: awaiting its TLS handshake", peer_,
                 pending_->setup.served_by);
      start_handshake(now);
    }
    return;
  }
  try {
    start_session(setup, uplink, {});
  } catch (...) {
    counters_.closed_by(CloseReason::session_error);
    counters_.connection_ended(0);
    throw;
  }
}

// Counts the connection as accepted: from here on it ends as closed, not
// refused.
void ConnectionCore::start_session(Setup& setup, proto::Uplink* uplink, std::string_view via) {
  const proto::InputRate& rate = setup.protocol.input_rate;
  if (rate.limited()) tokens_.emplace(rate.count, rate.period, rate.burst);
  const proto::SessionContext context{
      setup.listener, peer_, std::move(setup.peer_host), setup.pid, std::move(setup.thread), id_,
      uplink,         &log_,          setup.metrics,
      tokens_ ? static_cast<proto::Pacer*>(this) : nullptr};
  metrics::add(counters_.accepted);
  admitted_ = true;
  session_ = setup.protocol.make_session(context);
  const log::PeerScope scope(peer_);
  log_.debug("connection from {}{}{}", peer_, via, setup.served_by);
}

// At info with log_connections, else at debug; the figures go as journal
// fields too. Nothing is formatted for a line that is not logged.
// Counts it as closed, for the metrics.
ConnectionCore::~ConnectionCore() {
  tell_session_closed();
  const auto duration = latest_ - started_;
  flush_bytes();
  if (!admitted_) {
    log_refused_end();
    return;
  }
  counters_.closed_by(reason());
  counters_.connection_ended(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(duration).count()));
  const auto level = limits_.log_connections ? spdlog::level::info : spdlog::level::debug;
  if (!log_.should_log(level)) return;
  const std::string id = std::to_string(id_);
  const std::string usec = std::to_string(
      std::chrono::duration_cast<std::chrono::microseconds>(duration).count());
  const std::string in = std::to_string(bytes_in_);
  const std::string out = std::to_string(bytes_out_);
  log::Field fields[9] = {{"CONNECTION_ID", id},    {"CLOSE_REASON", to_string(reason())},
                          {"DURATION_USEC", usec}, {"BYTES_IN", in},
                          {"BYTES_OUT", out}};
  std::size_t count = 5;
  if (!via_.empty()) fields[count++] = {"PROXY_PEER", via_};
  std::string over;
  if (secured_) {
    fields[count++] = {"TLS_VERSION", secured_->version};
    fields[count++] = {"TLS_CIPHER", secured_->cipher};
    if (!secured_->client_subject.empty())
      fields[count++] = {"TLS_CLIENT_SUBJECT", secured_->client_subject};
    over = " over " + secured_->version;
  }
  const log::FieldScope with_fields(std::span(fields, count));
  const log::PeerScope scope(peer_);
  log_.log(level, "connection {} from {} closed: {} after {} ({} bytes in, {} bytes out{})", id_,
           peer_, to_string(reason()), as_written(duration), bytes_in_, bytes_out_, over);
}

// A peer that never got a session: refused. The vetting counted and
// logged the refusals it decided; any other end before the header was
// read (the peer left, a reset, shutdown) is a missing header all the
// same, and one during the handshake a failed handshake.
void ConnectionCore::log_refused_end() const noexcept {
  if (!refusal_counted_) counters_.refused_by(preamble_);
  const log::PeerScope scope(peer_);
  log_.debug("connection {} from {}{} refused: {}", id_, peer_,
             via_.empty() ? std::string() : " via " + via_, to_string(reason()));
}

// Before the session goes, so that what it sends its Service (chat's leave
// with this reason) arrives before the Service hears gone(): every model
// tells the Service after the core is destroyed.
void ConnectionCore::tell_session_closed() noexcept {
  if (!session_) return;
  try {
    session_->closed(reason());
  } catch (...) {
    log_session_failure();
  }
}

// Runs one of the session's calls. A session that throws has a bug: only
// this connection ends, and the log says why at error.
template <typename Call>
void ConnectionCore::call_session(Call call, Clock::time_point now) noexcept {
  latest_ = now;
  if (!session_) return;  // still awaiting its PROXY header or handshake
  try {
    call(*session_);
  } catch (...) {
    log_session_failure();
    close(CloseReason::session_error);
    return;
  }
  if (session_->closing() && !finish_) finish_ = CloseReason::session_closed;
  track_partial(now);
  settle();
}

// Asked from inside receive() or resume(), which call_session runs with
// latest_ set to the time they happen.
bool ConnectionCore::take() noexcept {
  return !tokens_ || tokens_->take(latest_);
}

// Only an open conversation is held: once it is over, what the session
// holds will never be handled.
bool ConnectionCore::paced() const noexcept {
  return tokens_ && session_ && !finish_ && session_->holding();
}

// Handling held input is activity, like receiving it: a member slowed
// down is not idle.
void ConnectionCore::resume(Clock::time_point now) noexcept {
  last_active_ = now;
  call_session([this](proto::Session& session) { session.resume(out_); }, now);
}

void ConnectionCore::open(Clock::time_point now) noexcept {
  call_session([this](proto::Session& session) { session.open(out_); }, now);
}

void ConnectionCore::received(std::string_view data, Clock::time_point now) noexcept {
  if (closed_) return;
  bytes_in_ += data.size();
  count_bytes(now);
  last_active_ = now;
  if (awaiting_header()) {
    // What follows the header is the session's (a plain transport's).
    const std::size_t used = read_header(data, now);
    data.remove_prefix(std::min(used, data.size()));
    if (closed_ || data.empty() || !session_) return;
  } else if (pending_) {
    return;  // nothing is read through the transport during its handshake
  }
  call_session([this, data](proto::Session& session) { session.receive(data, out_); }, now);
}

std::size_t ConnectionCore::header_part(std::string_view peeked, Clock::time_point now) noexcept {
  if (closed_ || !awaiting_header()) return 0;
  last_active_ = now;
  const std::size_t used = read_header(peeked, now);
  bytes_in_ += used;
  count_bytes(now);
  return used;
}

// The parser never needs more than net::kMaxProxyHeader bytes to decide,
// so what is kept is at most that plus one read. Returns how many bytes of
// `data` the header took: all of them while it is incomplete.
std::size_t ConnectionCore::read_header(std::string_view data, Clock::time_point now) noexcept {
  latest_ = now;
  const std::size_t before = pending_->received.size();
  net::ProxyParse parse;
  try {
    pending_->received.append(data);
    parse = net::parse_proxy_header(pending_->received);
  } catch (const std::exception& e) {
    no_header(e.what(), now);
    return 0;
  }
  switch (parse.status) {
    case net::ProxyParse::Status::incomplete:
      return data.size();
    case net::ProxyParse::Status::invalid:
      no_header(parse.error, now);
      return 0;
    case net::ProxyParse::Status::complete:
      break;
  }
  const std::size_t used = parse.header.length - before;
  admit_named_peer(parse.header, now);
  return used;
}

// The peer the header names (the real one for LOCAL and UNKNOWN) faces the
// listener's rules; admitted, it goes on to its handshake or its session.
void ConnectionCore::admit_named_peer(const net::ProxyHeader& header,
                                      Clock::time_point now) noexcept {
  Setup& setup = pending_->setup;
  net::IpAddress ip = setup.peer_ip;
  pending_->header = false;
  try {
    std::string().swap(pending_->received);
    if (header.source_length != 0) {
      const auto* source = reinterpret_cast<const sockaddr*>(&header.source);
      if (const auto named = net::ip_of(source, header.source_length)) ip = *named;
      via_ = peer_;
      peer_ = net::format_sockaddr(source, header.source_length);
      setup.peer_host = net::format_host(source, header.source_length);
    }
  } catch (const std::exception& e) {
    pending_->header = true;  // so that the refusal is reported
    no_header(e.what(), now);
    return;
  }
  partial_ = false;
  SourceGuard::Verdict verdict;
  try {
    verdict = setup.vetting->vet(ip, peer_, now);
  } catch (const std::exception& e) {
    const log::PeerScope scope(peer_);
    log_.warn("connection {} from {}: cannot apply the listener's rules: {}", id_, peer_,
              e.what());
    verdict.refused = CloseReason::unserved;
  }
  if (verdict.refused) {
    refusal_counted_ = *verdict.refused != CloseReason::unserved;
    const std::string& refusal = setup.vetting->refusal(*verdict.refused);
    pending_.reset();
    refuse(*verdict.refused, refusal);
    return;
  }
  source_hold_ = std::move(verdict.hold);
  if (pending_->setup.handshake_timeout)
    start_handshake(now);
  else
    begin_session(now);
}

// The handshake's time runs from the moment it may start: at once, or once
// the PROXY header is read.
void ConnectionCore::start_handshake(Clock::time_point now) noexcept {
  preamble_ = CloseReason::tls_handshake;
  pending_->handshake_until = now + *pending_->setup.handshake_timeout;
}

void ConnectionCore::begin_session(Clock::time_point now) noexcept {
  const std::unique_ptr<Pending> pending = std::move(pending_);
  try {
    start_session(pending->setup, pending->uplink, via_.empty() ? std::string() : " via " + via_);
  } catch (...) {
    log_session_failure();
    close(CloseReason::session_error);
    return;
  }
  open(now);
}

void ConnectionCore::handshake_done(Secured secured, Clock::time_point now) noexcept {
  if (closed_ || !awaiting_handshake()) return;
  latest_ = now;
  last_active_ = now;
  try {
    secured_ = std::make_unique<Secured>(std::move(secured));
    const log::PeerScope scope(peer_);
    log_.debug("connection {} from {}: {} established ({}{}{})", id_, peer_, secured_->version,
               secured_->cipher, secured_->alpn.empty() ? "" : ", ALPN " + secured_->alpn,
               secured_->client_subject.empty() ? ""
                                                : ", client " + secured_->client_subject);
  } catch (...) {
    // Without its facts the connection is served all the same.
  }
  begin_session(now);
}

void ConnectionCore::handshake_failed(const std::string& why, Clock::time_point now) noexcept {
  if (closed_ || !awaiting_handshake()) return;
  latest_ = now;
  if (PeerVetting* vetting = pending_->setup.vetting) {
    vetting->preamble_failed(CloseReason::tls_handshake, peer_, why, now);
    refusal_counted_ = true;
  }
  pending_.reset();
  close(CloseReason::tls_handshake);
}

void ConnectionCore::no_header(const std::string& why, Clock::time_point now) noexcept {
  if (pending_ && pending_->setup.vetting) {
    pending_->setup.vetting->preamble_failed(CloseReason::proxy_header, peer_, why, now);
    refusal_counted_ = true;
  }
  pending_.reset();
  close(CloseReason::proxy_header);
}

// What the socket takes at once of the protocol's refusal, as the accept
// gate sends it; then it closes.
void ConnectionCore::refuse(CloseReason why, const std::string& refusal) noexcept {
  if (refusal.empty()) {
    close(why);
    return;
  }
  try {
    out_.append(refusal);
  } catch (...) {
    close(why);
    return;
  }
  finish_ = why;
  ending_ = true;
  drain_until_ = latest_;
}

// An atomic add per read or write costs more than a small chat delivery
// itself (chat-c200 under epoll: +28% CPU per line), so the bytes go to
// the listener's counters in batches: past kByteBatch, a second after the
// last batch (deadline() wakes a quiet connection for it), and at the end.
void ConnectionCore::count_bytes(Clock::time_point now) noexcept {
  if (now < next_byte_count_ &&
      bytes_in_ + bytes_out_ - counted_in_ - counted_out_ < kByteBatch)
    return;
  next_byte_count_ = now + std::chrono::seconds(1);
  flush_bytes();
}

void ConnectionCore::flush_bytes() noexcept {
  if (bytes_in_ != counted_in_) metrics::add(counters_.bytes_in, bytes_in_ - counted_in_);
  if (bytes_out_ != counted_out_) metrics::add(counters_.bytes_out, bytes_out_ - counted_out_);
  counted_in_ = bytes_in_;
  counted_out_ = bytes_out_;
}

void ConnectionCore::peer_finished() noexcept {
  if (closed_ || peer_eof_) return;
  peer_eof_ = true;
  if (awaiting_header()) {
    no_header("the connection ended before its PROXY header", latest_);
    return;
  }
  if (pending_) {
    handshake_failed("the peer closed the connection during the handshake", latest_);
    return;
  }
  if (!finish_) finish_ = CloseReason::peer_closed;
  call_session([this](proto::Session& session) { session.peer_closed(out_); }, latest_);
}

void ConnectionCore::sent(std::size_t bytes, Clock::time_point now) noexcept {
  latest_ = now;
  if (bytes > 0) {
    bytes_out_ += bytes;
    count_bytes(now);
    last_active_ = now;
  }
  settle();
}

void ConnectionCore::failed(int error) noexcept {
  if (closed_) return;
  {
    const log::PeerScope scope(peer_);
    log_.debug("connection {}: {}", id_, std::strerror(error));
  }
  if (ending_)
    close(*finish_);  // it was ending anyway
  else
    close(error == ECONNRESET || error == EPIPE ? CloseReason::peer_reset : CloseReason::io_error);
}

void ConnectionCore::expire(Clock::time_point now) noexcept {
  if (closed_) return;
  latest_ = now;
  count_bytes(now);
  if (ending_) {
    if (now >= drain_until_) close(*finish_);
    return;
  }
  // A held member is neither idle nor slow: its input waits on us.
  if (paced()) {
    if (tokens_->next_token(now) <= now) resume(now);
    return;
  }
  if (awaiting_header() && now >= partial_since_ + limits_.read_timeout) {
    no_header("none within read_timeout " + config::format_duration(limits_.read_timeout), now);
  } else if (awaiting_handshake()) {
    if (now >= pending_->handshake_until)
      handshake_failed("not done within handshake_timeout " +
                           as_written(*pending_->setup.handshake_timeout),
                       now);
  } else if (partial_ && !finish_ && now >= partial_since_ + limits_.read_timeout) {
    log_decision("its request did not complete in", limits_.read_timeout);
    ending(CloseReason::read_timeout, now, kDrainTime);
  } else if (now >= last_active_ + limits_.idle_timeout) {
    log_decision("idle for", limits_.idle_timeout);
    if (finish_)
      close(CloseReason::idle_timeout);  // what it owes was not read all this time
    else
      ending(CloseReason::idle_timeout, now, kDrainTime);
  }
}

bool ConnectionCore::deliver(std::string_view bytes) noexcept {
  if (closed_ || ending_) return false;  // nothing may follow its last words
  if (out_.size() + bytes.size() > limits_.max_outbox) {
    cut_off();
    return false;
  }
  try {
    out_.append(bytes);
  } catch (...) {
    cut_off();
    return false;
  }
  return true;
}

// What is queued goes but for the line being written, which the last words
// follow; the peer does not read, so they get what the socket takes at once.
void ConnectionCore::cut_off() noexcept {
  if (closed_ || ending_) return;
  {
    const log::PeerScope scope(peer_);
    log_.debug("cutting off connection {}: it does not read its output (over {} bytes unsent)", id_,
               limits_.max_outbox);
  }
  out_.cut_after('\n');
  ending(CloseReason::outbox_overflow, latest_, Clock::duration::zero());
}

void ConnectionCore::end(CloseReason reason, Clock::time_point now) noexcept {
  if (closed_) return;
  if (!session_) {  // still awaiting its PROXY header or handshake: nothing to say
    latest_ = now;
    close(reason);
    return;
  }
  if (ending_) {
    latest_ = now;
    drain_until_ = now;  // no more waiting
    settle();
    return;
  }
  ending(reason, now, Clock::duration::zero());
}

bool ConnectionCore::wants_read() const noexcept {
  return !closed_ && !finish_ && !held_ && !awaiting_handshake() && !paced() &&
         out_.size() < limits_.max_outbox;
}

bool ConnectionCore::ended_cleanly() const noexcept {
  switch (reason()) {
    case CloseReason::peer_reset:
    case CloseReason::io_error:
    case CloseReason::proxy_header:
    case CloseReason::tls_handshake:
      return false;
    default:
      return true;
  }
}

Clock::time_point ConnectionCore::deadline() const noexcept {
  if (closed_) return Clock::time_point::max();
  // Bytes not yet counted are counted by then, even if the connection
  // goes quiet.
  const Clock::time_point count =
      bytes_in_ + bytes_out_ != counted_in_ + counted_out_ ? next_byte_count_
                                                           : Clock::time_point::max();
  if (ending_) return std::min(drain_until_, count);
  if (awaiting_handshake()) return std::min(pending_->handshake_until, count);
  if (paced()) return std::min(tokens_->next_token(latest_), count);
  const Clock::time_point idle = std::min(last_active_ + limits_.idle_timeout, count);
  if (partial_ && !finish_) return std::min(idle, partial_since_ + limits_.read_timeout);
  return idle;
}

CloseReason ConnectionCore::reason() const noexcept {
  if (closed_) return *closed_;
  return ending_ ? *finish_ : CloseReason::shutdown;
}

// The read timeout runs from the moment a line or request starts until the
// session has all of it; not while the session holds input for want of a
// token (the line is incomplete by our doing), and anew once it resumed.
void ConnectionCore::track_partial(Clock::time_point now) noexcept {
  const bool partial = session_->partial() && !paced();
  if (partial && !partial_) partial_since_ = now;
  partial_ = partial;
}

// The session hears why, unless the conversation was already over (the
// peer's end of file, the session's own end), and may say its last words;
// they have `drain` to leave (zero: what the socket takes at once).
void ConnectionCore::ending(CloseReason reason, Clock::time_point now,
                            Clock::duration drain) noexcept {
  if (closed_) return;
  if (!finish_) {
    if (const auto why = as_ending(reason))
      call_session([this, why](proto::Session& session) { session.last_words(*why, out_); }, now);
    if (closed_) return;  // the session failed
  }
  latest_ = now;
  finish_ = reason;
  ending_ = true;
  drain_until_ = now + drain;
  settle();
}

void ConnectionCore::settle() noexcept {
  if (!closed_ && finish_ && out_.empty()) close(*finish_);
}

void ConnectionCore::close(CloseReason reason) noexcept {
  if (closed_) return;
  closed_ = reason;
  out_.clear();
}

void ConnectionCore::log_decision(const char* what, config::Duration limit) const noexcept {
  const log::PeerScope scope(peer_);
  log_.debug("closing connection {}: {} {}", id_, what, config::format_duration(limit));
}

// Called from inside a catch block.
void ConnectionCore::log_session_failure() const noexcept {
  const log::PeerScope scope(peer_);
  try {
    throw;
  } catch (const std::exception& e) {
    log_.error("connection {} from {} failed: {}", id_, peer_, e.what());
  } catch (...) {
    log_.error("connection {} from {} failed: an unknown exception", id_, peer_);
  }
}

}  // namespace netcook::model
