#include "model/epoll/worker.hpp"

#include "log/fields.hpp"
#include "model/thread_name.hpp"
#include "net/socket.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <latch>
#include <optional>

#include <fmt/chrono.h>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace netcook::model::epoll {
namespace {

// Connections accepted per wake-up before other work gets a turn.
constexpr int kAcceptBatch = 64;
// Bytes one connection may read per turn, so one fast sender cannot starve
// the others on its worker.
constexpr std::size_t kReadBudget = 256 * 1024;
constexpr auto kBackoffFirst = std::chrono::milliseconds(50);
constexpr auto kBackoffMax = std::chrono::seconds(1);

}  // namespace

Worker::Worker(Shared& shared, unsigned index)
    : shared_(shared),
      index_(index),
      thread_name_(worker_thread_name(shared.settings.listener, index)),
      expiry_(loop_, [this] { expire(); }),
      ready_turn_(loop_, [this] { run_ready_queue(); }),
      accept_backoff_(loop_, [this] { resume_accepting(); }) {
  loop_.beat_into(heartbeat_);
}

Worker::~Worker() {
  halt();
  if (accepting_) loop_.remove(shared_.listen_fd);
  while (!connections_.empty()) close(connections_.front());
}

void Worker::halt() noexcept {
  loop_.stop();
  if (thread_.joinable()) thread_.join();
}

void Worker::start() {
  loop_.add(shared_.listen_fd, EPOLLIN | EPOLLEXCLUSIVE, *this);
  accepting_ = true;
  thread_ = std::thread([this] { run(); });
}

void Worker::stop_accepting() {
  std::latch done(1);
  loop_.post([this, &done] {
    if (accepting_) loop_.remove(shared_.listen_fd);
    accepting_ = false;
    accept_backoff_.cancel();
    done.count_down();
  });
  done.wait();
}

void Worker::run() noexcept {
  set_thread_name(thread_name_);
  try {
    loop_.run();
  } catch (const std::exception& e) {
    shared_.settings.log->critical("worker {} stopped: {}", thread_name_, e.what());
  }
}

void Worker::on_ready(std::uint32_t) noexcept { accept_some(); }

void Worker::accept_some() noexcept {
  for (int i = 0; i < kAcceptBatch && accepting_; ++i) {
    net::UniqueFd fd(::accept4(shared_.listen_fd, nullptr, nullptr,
                               SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return;
      accept_failed(errno);
      return;
    }
    backoff_delay_ = {};
    accept_errors_.settle(*shared_.settings.log, loop_.now());
    if (!shared_.count.try_acquire()) {
      refuse(fd.get());
      continue;
    }
    refusals_.settle(*shared_.settings.log, loop_.now());
    add_connection(std::move(fd));
  }
}

// Out of file descriptors or memory: accept() would fail again at once, and
// the listening socket stays readable, so stop watching it for a while
// instead of spinning. A connection of ours closing frees a descriptor and
// ends the pause early (see close()); the timer covers descriptors freed
// elsewhere in the process.
void Worker::accept_failed(int error) noexcept {
  accept_errors_.hit(*shared_.settings.log, loop_.now(), std::strerror(error));
  if (error != EMFILE && error != ENFILE && error != ENOBUFS && error != ENOMEM) return;
  pause_accepting();
}

void Worker::pause_accepting() noexcept {
  loop_.remove(shared_.listen_fd);
  backoff_delay_ = backoff_delay_ == event::Clock::duration{}
                       ? std::chrono::duration_cast<event::Clock::duration>(kBackoffFirst)
                       : std::min<event::Clock::duration>(backoff_delay_ * 2, kBackoffMax);
  accept_backoff_.arm_after(backoff_delay_);
}

void Worker::resume_accepting() noexcept {
  if (!accepting_) return;
  try {
    loop_.add(shared_.listen_fd, EPOLLIN | EPOLLEXCLUSIVE, *this);
  } catch (const std::exception& e) {
    shared_.settings.log->error("cannot watch the listening socket again: {}", e.what());
    accept_backoff_.arm_after(kBackoffMax);
    return;
  }
  accept_some();
}

void Worker::refuse(int fd) noexcept {
  refusals_.hit(*shared_.settings.log, loop_.now(), net::peer_address(fd));
  const auto& refusal = shared_.protocol.refusal;
  if (!refusal.empty()) ::send(fd, refusal.data(), refusal.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void Worker::add_connection(net::UniqueFd fd) noexcept {
  const int raw = fd.get();
  // The low byte routes Service deliveries to this worker.
  const proto::ConnectionId id = (next_serial_++ << 8) | index_;
  try {
    net::set_nodelay(raw);
    auto& connection = connections_.emplace_back(*this, std::move(fd), id);
    connection.self = std::prev(connections_.end());
    connection.last_active = loop_.now();
    proto::SessionContext context{shared_.settings.listener, connection.peer(),
                                  net::peer_host(raw), ::getpid(), thread_name_, id,
                                  shared_.service ? &connection : nullptr,
                                  shared_.settings.log.get()};
    connection.attach(shared_.protocol.make_session(context));
    if (shared_.service) by_id_.emplace(id, &connection);
    const log::PeerScope peer(connection.peer());
    shared_.settings.log->debug("connection from {}", connection.peer());
    loop_.add(raw, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, connection);
  } catch (const std::exception& e) {
    shared_.settings.log->error("cannot serve a new connection: {}", e.what());
    if (!connections_.empty() && connections_.back().id() == id) {
      by_id_.erase(id);
      connections_.pop_back();
    }
    shared_.count.release();
    return;
  }
  Connection& connection = connections_.back();
  connection.open();
  if (!expiry_.armed()) arm_expiry();
  service(connection);
}

void Worker::service(Connection& connection) noexcept {
  if (!connection.advance(scratch_, kReadBudget, shared_.settings.limits.max_outbox)) {
    close(connection);
    return;
  }
  // Most recently active last: the idle list stays ordered by deadline.
  connections_.splice(connections_.end(), connections_, connection.self);
  track_partial(connection);
  if (connection.wants_more()) schedule(connection);
}

// Gives the connection another turn after the events at hand.
void Worker::schedule(Connection& connection) noexcept {
  if (connection.queued) return;
  connection.queued = true;
  ready_.push_back(&connection);
  if (!ready_turn_.armed()) ready_turn_.arm_at(loop_.now() + std::chrono::nanoseconds(1));
}

void Worker::to_service(proto::ConnectionId from, std::string_view message) {
  std::lock_guard lock(shared_.service_mutex);
  shared_.service->message(from, message, *this);
}

// Courier: runs with the service mutex held, so it only queues; a
// connection cut off here is closed on its next turn, outside the Service.
void Worker::deliver(proto::ConnectionId to, std::string_view bytes) {
  const auto index = static_cast<std::size_t>(to & 0xff);
  if (index == index_) {
    // Deliveries other workers queued here were made earlier (under the
    // same Service mutex): they go first, so every receiver sees lines in
    // the order the Service produced them.
    take_deliveries();
    deliver_here(to, bytes);
  }
  else if (index < shared_.workers.size())
    shared_.workers[index]->post_delivery(to, bytes);
}

void Worker::deliver_here(proto::ConnectionId to, std::string_view bytes) noexcept {
  const auto it = by_id_.find(to);
  if (it == by_id_.end()) return;
  it->second->deliver(bytes, shared_.settings.limits.max_outbox);
  schedule(*it->second);
}

void Worker::post_delivery(proto::ConnectionId to, std::string_view bytes) {
  if (inbox_.put(to, bytes)) loop_.post([this] { take_deliveries(); });
}

void Worker::take_deliveries() noexcept {
  for (const auto& [to, bytes] : inbox_.take()) deliver_here(to, bytes);
}

void Worker::track_partial(Connection& connection) noexcept {
  const bool partial = connection.partial();
  if (partial && !connection.in_partial_list) {
    connection.partial_since = loop_.now();
    partial_.push_back(&connection);
    connection.partial_position = std::prev(partial_.end());
    connection.in_partial_list = true;
    const auto deadline = connection.partial_since + shared_.settings.limits.read_timeout;
    if (!expiry_.armed() || expiry_.when() > deadline) expiry_.arm_at(deadline);
  } else if (!partial && connection.in_partial_list) {
    partial_.erase(connection.partial_position);
    connection.in_partial_list = false;
  }
}

void Worker::run_ready_queue() noexcept {
  for (std::size_t n = ready_.size(); n > 0 && !ready_.empty(); --n) {
    Connection* connection = ready_.front();
    ready_.pop_front();
    connection->queued = false;
    service(*connection);
  }
}

void Worker::close(Connection& connection) noexcept {
  if (connection.queued)
    ready_.erase(std::find(ready_.begin(), ready_.end(), &connection));
  if (connection.in_partial_list) partial_.erase(connection.partial_position);
  loop_.remove(connection.fd());
  const proto::ConnectionId id = connection.id();
  connections_.erase(connection.self);  // closes the socket
  if (accept_backoff_.armed()) {
    accept_backoff_.cancel();
    resume_accepting();
  }
  if (shared_.service) {
    by_id_.erase(id);
    try {
      std::lock_guard lock(shared_.service_mutex);
      shared_.service->gone(id, *this);
    } catch (const std::exception& e) {
      shared_.settings.log->error("service failed on a closed connection: {}", e.what());
    }
  }
  shared_.count.release();
}

void Worker::expire() noexcept {
  const auto now = loop_.now();
  const auto& limits = shared_.settings.limits;
  while (!connections_.empty() && connections_.front().last_active + limits.idle_timeout <= now) {
    {
      const log::PeerScope peer(connections_.front().peer());  // ends before the connection does
      shared_.settings.log->debug("closing a connection idle for {}", limits.idle_timeout);
    }
    close(connections_.front());
  }
  while (!partial_.empty() && partial_.front()->partial_since + limits.read_timeout <= now) {
    {
      const log::PeerScope peer(partial_.front()->peer());
      shared_.settings.log->debug("closing a connection whose request did not complete in {}",
                                  limits.read_timeout);
      partial_.front()->on_read_timeout();
    }
    close(*partial_.front());
  }
  arm_expiry();
}

void Worker::arm_expiry() noexcept {
  const auto& limits = shared_.settings.limits;
  std::optional<event::Clock::time_point> next;
  if (!connections_.empty()) next = connections_.front().last_active + limits.idle_timeout;
  if (!partial_.empty()) {
    const auto deadline = partial_.front()->partial_since + limits.read_timeout;
    next = next ? std::min(*next, deadline) : deadline;
  }
  if (next) expiry_.arm_at(*next);
}

}  // namespace netcook::model::epoll
