#include "model/coroutine/connection.hpp"

#include "log/fields.hpp"
#include "model/coroutine/worker.hpp"
#include "net/socket.hpp"

#include <algorithm>

#include <unistd.h>

namespace netcook::model::coroutine {

Connection::Connection(Worker& worker, net::UniqueFd fd, Slot slot, proto::ConnectionId id)
    : worker_(worker),
      slot_(std::move(slot)),
      fd_(std::move(fd)),
      events_(worker.loop(), fd_.get()),
      id_(id),
      peer_(net::peer_address(fd_.get())),
      last_active_(worker.loop().now()) {
  const int raw = fd_.get();
  net::set_nodelay(raw);
  const auto& settings = worker.shared().settings;
  proto::SessionContext context{settings.listener,     peer_,
                                net::peer_host(raw),   ::getpid(),
                                worker.thread_name(),  id,
                                worker.has_service() ? this : nullptr,
                                settings.log.get()};
  session_ = worker.shared().protocol.make_session(context);
  if (worker.has_service()) {
    worker.joined(id, *this);
    joined_ = true;
  }
  const log::PeerScope peer(peer_);
  worker.log().debug("connection from {}", peer_);
}

Connection::~Connection() {
  if (joined_) worker_.left(id_);
}

void Connection::send(std::string_view message) { worker_.to_service(id_, message); }

void Connection::deliver(std::string_view bytes, std::size_t max_outbox) noexcept {
  if (cut_off_) return;
  if (out_.size() + bytes.size() > max_outbox) {
    cut_off_ = true;  // it does not read fast enough
  } else {
    try {
      out_.append(bytes);
    } catch (...) {
      cut_off_ = true;
    }
  }
  events_.wake();
}

void Connection::open() {
  session_->open(out_);
  track_partial();
}

void Connection::received(std::string_view data) {
  last_active_ = worker_.loop().now();
  session_->receive(data, out_);
  track_partial();
}

void Connection::peer_closed() {
  peer_eof_ = true;
  session_->peer_closed(out_);
}

proto::SendResult Connection::write() noexcept {
  const proto::SendResult result = out_.send_to(fd_.get());
  if (result.sent > 0) last_active_ = worker_.loop().now();
  if (result.status == proto::SendResult::Status::would_block) events_.write_blocked();
  return result;
}

void Connection::read_timed_out() {
  session_->read_timed_out(out_);
  out_.send_to(fd_.get());
}

bool Connection::may_read() const noexcept {
  return !peer_eof_ && !session_->closing() &&
         (out_.empty() || out_.size() < worker_.shared().settings.limits.max_outbox);
}

void Connection::track_partial() noexcept {
  const bool partial = session_->partial();
  if (partial && !partial_) partial_since_ = worker_.loop().now();
  partial_ = partial;
}

co::Deadline Connection::idle_deadline() const noexcept {
  return last_active_ + worker_.shared().settings.limits.idle_timeout;
}

co::Deadline Connection::deadline() const noexcept {
  const auto read_timeout = worker_.shared().settings.limits.read_timeout;
  return partial_ ? std::min(idle_deadline(), partial_since_ + read_timeout) : idle_deadline();
}

}  // namespace netcook::model::coroutine
