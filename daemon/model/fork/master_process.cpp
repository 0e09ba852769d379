#include "model/fork/master_process.hpp"

#include "net/packet.hpp"
#include "net/socket.hpp"

#include <cerrno>
#include <chrono>

#include <poll.h>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace netcook::model::fork {

MasterProcess::MasterProcess(net::UniqueFd control, metrics::Arena& arena, ProtocolFactory protocols,
                             LoggerFactory loggers, event::Heartbeat& heartbeat)
    : control_(std::move(control)),
      arena_(arena),
      protocols_(std::move(protocols)),
      loggers_(std::move(loggers)),
      log_(loggers_("fork-master", {})),
      sigchld_(loop_, {SIGCHLD}, [this](int) { reap(); }),
      replies_(control_.borrow()),
      control_watch_(loop_, control_.borrow(), *this),
      buffer_(kMaxPacket) {
  if (!log_) throw std::runtime_error("the logger factory made no logger");
  loop_.beat_into(heartbeat);
  net::set_nonblocking(control_.borrow(), true);
  watch_control();
}

MasterProcess::~MasterProcess() { listeners_.clear(); }

void MasterProcess::run() {
  log_->debug("fork master {} running", ::getpid());
  loop_.run();
  // The last answers (the shutdown's ack) may still wait for room.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (control_ && replies_.flush() && !replies_.empty() &&
         std::chrono::steady_clock::now() < until) {
    pollfd fd{control_.get(), POLLOUT, 0};
    ::poll(&fd, 1, 50);
  }
}

void MasterProcess::watch_control() noexcept {
  if (!control_) return;
  try {
    control_watch_.watch(EPOLLIN | (replies_.empty() ? 0u : EPOLLOUT));
  } catch (const std::exception& e) {
    log_->critical("cannot watch the control socket: {}", e.what());
    loop_.stop();
  }
}

// The main process is gone (it exits, or it died): so are we.
void MasterProcess::forget_control() noexcept {
  control_watch_.cancel();
  control_.reset();
  shut_down(std::nullopt);
}

void MasterProcess::on_ready(std::uint32_t events) noexcept {
  if (events & EPOLLOUT) replies_.flush();
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_control();
  watch_control();
}

void MasterProcess::read_control() noexcept {
  while (control_) {
    net::ReceivedPacket packet = net::receive_packet(control_.borrow(), buffer_, MSG_DONTWAIT);
    if (packet.size < 0 && packet.error == EAGAIN) return;
    if (packet.size <= 0) {
      forget_control();
      return;
    }
    const auto message =
        packet.truncated ? std::nullopt
                         : decode({buffer_.data(), static_cast<std::size_t>(packet.size)});
    if (!message) {
      log_->error("malformed request on the control socket; ignored");
      continue;
    }
    handle(*message, std::move(packet.fd));
  }
}

void MasterProcess::handle(const ControlMessage& message, net::UniqueFd fd) noexcept {
  try {
    switch (message.op) {
      case Op::start:
        start_listener(message, std::move(fd));
        ack(message.request);
        return;
      case Op::stop_accepting:
        if (const auto it = listeners_.find(message.listener); it != listeners_.end())
          it->second->stop_accepting(message.reason);
        ack(message.request);
        return;
      case Op::stop:
        stop_listener(message.listener, message.request);
        return;
      case Op::shutdown:
        shut_down(message.request);
        return;
      case Op::log_level:
        set_log_level(message.log_level);
        ack(message.request);
        return;
      case Op::renew_tls:
        if (const auto it = listeners_.find(message.listener); it != listeners_.end())
          it->second->renew_tls(load_tls(message.settings));
        ack(message.request);
        return;
      case Op::ack:
      case Op::connections:
      case Op::drained:
        break;
    }
    ack(message.request, "not a request");
  } catch (const std::exception& e) {
    ack(message.request, e.what());
  }
}

void MasterProcess::start_listener(const ControlMessage& message, net::UniqueFd fd) {
  if (shutting_down_) throw std::runtime_error("the fork master is shutting down");
  if (!fd) throw std::runtime_error("no listening socket came with the request");
  if (listeners_.contains(message.listener))
    throw std::runtime_error("a listener with this id is already running");
  ListenerSetup setup;
  setup.id = message.listener;
  setup.name = message.settings.name;
  setup.limits = message.limits;
  setup.log_level = message.log_level;
  setup.protocol = protocols_(message.settings, loop_);
  if (message.settings.tls) setup.tls = std::make_shared<TlsSlot>(load_tls(message.settings));
  setup.metrics = arena_.slot(message.value);
  setup.log_fields = {setup.name, config::to_string(message.settings.protocol),
                      config::to_string(config::Model::fork)};
  setup.log = loggers_(setup.name, setup.log_fields);
  if (!setup.log) throw std::runtime_error("the logger factory made no logger");
  setup.log->set_level(static_cast<spdlog::level::level_enum>(message.log_level));
  log_->set_level(static_cast<spdlog::level::level_enum>(message.log_level));
  auto listener = std::make_unique<ForkListener>(loop_, static_cast<ListenerHost&>(*this),
                                                 loggers_, std::move(setup), std::move(fd));
  listener->start();
  listeners_.emplace(message.listener, std::move(listener));
}

// Connection processes already running keep the level they started with.
void MasterProcess::set_log_level(int level) noexcept {
  log_->set_level(static_cast<spdlog::level::level_enum>(level));
  for (auto& [id, listener] : listeners_) listener->set_log_level(level);
}

// Acknowledged once the listener's processes are gone; the listener is
// destroyed from the loop, never from inside its own callback.
void MasterProcess::stop_listener(std::uint64_t listener, std::uint64_t request) {
  const auto it = listeners_.find(listener);
  if (it == listeners_.end()) {
    ack(request);
    return;
  }
  it->second->stop([this, listener, request] {
    loop_.post([this, listener, request] {
      listeners_.erase(listener);
      counts_changed_.erase(listener);
      ack(request);
      shut_down_when_empty();
    });
  });
}

void MasterProcess::shut_down(std::optional<std::uint64_t> request) noexcept {
  if (request) shutdown_request_ = request;
  if (shutting_down_) return;
  shutting_down_ = true;
  std::vector<std::uint64_t> ids;
  for (const auto& entry : listeners_) ids.push_back(entry.first);
  for (const auto id : ids) stop_listener(id, 0);
  shut_down_when_empty();
}

void MasterProcess::shut_down_when_empty() noexcept {
  if (!shutting_down_ || !listeners_.empty()) return;
  if (shutdown_request_) ack(*shutdown_request_);
  loop_.stop();
}

void MasterProcess::reap() noexcept {
  int status = 0;
  pid_t pid = 0;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    const auto it = children_.find(pid);
    if (it == children_.end()) continue;
    const std::uint64_t listener = it->second;
    children_.erase(it);
    if (const auto found = listeners_.find(listener); found != listeners_.end())
      found->second->child_exited(pid, status);
  }
}

void MasterProcess::child_started(pid_t pid, std::uint64_t listener) {
  children_.emplace(pid, listener);
}

// Counts go out once per loop iteration, however many processes started
// or ended in it.
void MasterProcess::connections_changed(std::uint64_t listener) noexcept {
  try {
    counts_changed_.insert(listener);
    if (counts_flush_posted_) return;
    loop_.post([this] { flush_counts(); });
    counts_flush_posted_ = true;
  } catch (const std::exception&) {
  }
}

void MasterProcess::flush_counts() noexcept {
  counts_flush_posted_ = false;
  for (const auto id : counts_changed_) {
    const auto it = listeners_.find(id);
    if (it == listeners_.end()) continue;
    ControlMessage message;
    message.op = Op::connections;
    message.listener = id;
    message.value = it->second->connections();
    reply(message);
  }
  counts_changed_.clear();
}

void MasterProcess::drained(std::uint64_t listener) noexcept {
  flush_counts();
  ControlMessage message;
  message.op = Op::drained;
  message.listener = listener;
  reply(message);
}

void MasterProcess::ack(std::uint64_t request, std::string error) noexcept {
  if (request == 0) return;  // an internal request (shutdown stops listeners)
  ControlMessage message;
  message.op = Op::ack;
  message.request = request;
  message.error = std::move(error);
  reply(message);
}

void MasterProcess::reply(const ControlMessage& message) noexcept {
  if (!control_) return;
  try {
    replies_.send(encode(message));
  } catch (const std::exception& e) {
    log_->error("cannot answer the main process: {}", e.what());
  }
  watch_control();
}

}  // namespace netcook::model::fork
