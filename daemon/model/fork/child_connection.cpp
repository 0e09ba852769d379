#include "model/fork/child_connection.hpp"

#include "model/fork/control_message.hpp"
#include "model/fork/packet.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <stdexcept>

#include <fmt/chrono.h>
#include <poll.h>
#include <sys/socket.h>

namespace netcook::model::fork {
namespace {

// Client bytes read per turn, so the hub gets its turn on a busy client.
constexpr std::size_t kReadBudget = 256 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;
// How long a finished connection process waits for the master to take its
// last messages.
constexpr auto kLastMessagesWait = std::chrono::seconds(1);

}  // namespace

ChildConnection::ChildConnection(int client, int hub, const config::Limits& limits,
                                 spdlog::logger& log)
    : client_(client),
      hub_(hub),
      limits_(limits),
      log_(log),
      scratch_storage_(std::make_unique_for_overwrite<char[]>(kMaxPacket)),
      scratch_(scratch_storage_.get(), kMaxPacket) {
  if (hub_ >= 0) uplink_.emplace(hub_);
}

void ChildConnection::serve(const proto::SessionFactory& make_session,
                            proto::SessionContext context) {
  context.uplink = uplink_ ? this : nullptr;
  session_ = make_session(context);
  now_ = last_active_ = Clock::now();
  session_->open(out_);
  while (turn()) {
  }
  finish();
}

void ChildConnection::send(std::string_view message) {
  if (message.size() + 1 > kMaxPacket)
    throw std::length_error("a message to the listener's service is too long");
  std::string packet;
  packet.reserve(message.size() + 1);
  packet.push_back(kMessageTag);
  packet.append(message);
  uplink_->send(std::move(packet));  // a broken hub shows up as its end of file
}

// One round: write what can be written, wait, then take what arrived.
// False when the connection is over.
bool ChildConnection::turn() {
  if (!write_client()) return false;
  if (uplink_ && !uplink_->flush()) return false;
  if (out_.empty() && (peer_eof_ || session_->closing())) return false;
  if (!wait()) return false;
  if (hub_revents_ != 0 && !read_hub()) return false;
  if ((client_revents_ & (POLLIN | POLLHUP | POLLERR)) == 0) return true;
  // Data before a hang-up is still read (a last chat line counts); a
  // hang-up or error we may not read now ends the connection, since poll
  // would report it again at once.
  if (may_read()) return read_client();
  return (client_revents_ & (POLLHUP | POLLERR)) == 0;
}

bool ChildConnection::wait() {
  pollfd fds[2] = {{client_, 0, 0}, {hub_, POLLIN, 0}};
  if (may_read()) fds[0].events |= POLLIN;
  if (!out_.empty()) fds[0].events |= POLLOUT;
  if (uplink_ && !uplink_->empty()) fds[1].events |= POLLOUT;
  const int count = ::poll(fds, uplink_ ? 2 : 1, poll_timeout_ms());
  if (count < 0 && errno != EINTR) return false;
  now_ = Clock::now();
  client_revents_ = count > 0 ? fds[0].revents : 0;
  hub_revents_ = count > 0 && uplink_ ? fds[1].revents : 0;
  return !expired();
}

bool ChildConnection::may_read() const noexcept {
  return !peer_eof_ && !session_->closing() && out_.size() < limits_.max_outbox &&
         (!uplink_ || uplink_->bytes() < limits_.max_outbox);
}

// Writes until the outbox is empty, the client's socket is full or the
// outbox's share of one call went out (the next poll(2) returns at once
// then); false on error.
bool ChildConnection::write_client() noexcept {
  const proto::SendResult result = out_.send_to(client_);
  if (result.sent > 0) last_active_ = now_;
  return result.status != proto::SendResult::Status::error;
}

bool ChildConnection::read_client() {
  for (std::size_t budget = kReadBudget; budget > 0 && may_read();) {
    const std::size_t want = std::min({budget, kReadChunk, scratch_.size()});
    const ssize_t got = ::recv(client_, scratch_.data(), want, MSG_DONTWAIT);
    if (got < 0) return errno == EAGAIN || errno == EINTR;
    if (got == 0) {
      peer_eof_ = true;
      session_->peer_closed(out_);
      return true;
    }
    budget -= static_cast<std::size_t>(got);
    last_active_ = now_;
    session_->receive({scratch_.data(), static_cast<std::size_t>(got)}, out_);
    track_partial();
    if (!write_client()) return false;
    // A short read took everything queued: skip the recv that would only
    // say EAGAIN (one system call in four per echoed message). If more
    // arrived meanwhile, poll(2) says so at once.
    if (static_cast<std::size_t>(got) < want) break;
  }
  return true;
}

// Deliveries from the Service go to the outbox; one that would take it past
// max_outbox cuts the connection off (the master then tells the Service).
bool ChildConnection::read_hub() {
  while (true) {
    const ReceivedPacket packet = receive_packet(hub_, scratch_, MSG_DONTWAIT);
    if (packet.size < 0) return packet.error == EAGAIN;
    if (packet.size == 0) return false;  // the master closed the hub: we are done
    if (packet.truncated || scratch_[0] != kDeliveryTag) {
      log_.error("malformed packet from the fork master; closing the connection");
      return false;
    }
    const std::string_view bytes(scratch_.data() + 1, static_cast<std::size_t>(packet.size) - 1);
    if (out_.size() + bytes.size() > limits_.max_outbox) {
      log_.debug("cutting off a client that does not read (outbox over {} bytes)",
                 limits_.max_outbox);
      return false;
    }
    out_.append(bytes);
  }
}

void ChildConnection::track_partial() noexcept {
  if (!session_->partial())
    partial_since_.reset();
  else if (!partial_since_)
    partial_since_ = now_;
}

ChildConnection::Clock::time_point ChildConnection::deadline() const noexcept {
  const auto idle = last_active_ + limits_.idle_timeout;
  return partial_since_ ? std::min(idle, *partial_since_ + limits_.read_timeout) : idle;
}

// True when a timeout ends the connection. On the read timeout the session
// may answer a last time (HTTP's 408); that goes out as far as the socket
// takes it at once. Throws what the session throws.
bool ChildConnection::expired() {
  if (now_ >= last_active_ + limits_.idle_timeout) {
    log_.debug("closing a connection idle for {}", limits_.idle_timeout);
    return true;
  }
  if (partial_since_ && now_ >= *partial_since_ + limits_.read_timeout) {
    log_.debug("closing a connection whose request did not complete in {}",
               limits_.read_timeout);
    session_->read_timed_out(out_);
    out_.send_to(client_);
    return true;
  }
  return false;
}

int ChildConnection::poll_timeout_ms() const noexcept {
  const auto left = deadline() - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  // Rounded up so the loop never wakes just before the deadline and spins.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

// The session goes first (it may say goodbye through the Uplink); then the
// master gets a bounded chance to take the last messages.
void ChildConnection::finish() noexcept {
  session_.reset();
  if (!uplink_) return;
  const auto until = Clock::now() + kLastMessagesWait;
  while (uplink_->flush() && !uplink_->empty() && Clock::now() < until) {
    pollfd fd{hub_, POLLOUT, 0};
    ::poll(&fd, 1, 50);
  }
}

}  // namespace netcook::model::fork
