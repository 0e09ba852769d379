#include "model/fork/fork_listener.hpp"

#include "model/fork/child_process.hpp"
#include "net/socket.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace netcook::model::fork {
namespace {

constexpr int kAcceptBatch = 64;
constexpr auto kBackoffFirst = std::chrono::milliseconds(50);
constexpr auto kBackoffMax = std::chrono::seconds(1);
// After SIGTERM, and again after SIGKILL: the server already waited
// shutdown_timeout for the connections before destroying the driver.
constexpr auto kStopGrace = std::chrono::seconds(1);

}  // namespace

ForkListener::ForkListener(event::Loop& loop, ListenerHost& host, const LoggerFactory& loggers,
                           ListenerSetup setup, net::UniqueFd listen_fd)
    : loop_(loop),
      host_(host),
      loggers_(loggers),
      setup_(std::move(setup)),
      log_(*setup_.log),
      listen_fd_(std::move(listen_fd)),
      master_(::getpid()),
      accept_backoff_(loop_, [this] { resume_accepting(); }),
      stop_deadline_(loop_, [this] { escalate_stop(); }) {
  if (setup_.protocol.make_service)
    hub_ = std::make_unique<Hub>(loop_, setup_.protocol.make_service(),
                                 setup_.limits.max_outbox, log_,
                                 [this](proto::ConnectionId connection) { cut_off(connection); });
}

// Processes still alive die with the master, or are reaped later and
// ignored (their listener is gone).
ForkListener::~ForkListener() { close_listening(); }

void ForkListener::start() {
  loop_.add(listen_fd_.get(), EPOLLIN, *this);
  accepting_ = true;
}

void ForkListener::close_listening() noexcept {
  if (accepting_ && !accept_backoff_.armed()) loop_.remove(listen_fd_.get());
  accepting_ = false;
  accept_backoff_.cancel();
  listen_fd_.reset();
}

void ForkListener::stop_accepting() noexcept {
  close_listening();
  if (draining_ || stopping_) return;
  draining_ = true;
  if (children_.empty()) host_.drained(id());
}

void ForkListener::stop(std::function<void()> done) {
  if (stopping_) {
    if (!stopped_)  // already finished
      done();
    else
      stopped_ = [first = std::move(stopped_), second = std::move(done)] {
        first();
        second();
      };
    return;
  }
  close_listening();
  stopping_ = true;
  stopped_ = std::move(done);
  if (hub_) {
    hub_->halt();
    // Freed after the loop's current batch of events, which may name its links.
    loop_.post([doomed = std::shared_ptr<Hub>(std::move(hub_))] {});
  }
  for (const auto& child : children_) {
    ended_on_purpose_.insert(child.first);
    ::kill(child.first, SIGTERM);
  }
  if (children_.empty())
    finish_stop();
  else
    stop_deadline_.arm_after(kStopGrace);
}

void ForkListener::escalate_stop() noexcept {
  if (killed_) {
    log_.warn("{} connection process(es) not reaped after SIGKILL; giving up on them",
              children_.size());
    finish_stop();
    return;
  }
  killed_ = true;
  for (const auto& child : children_) ::kill(child.first, SIGKILL);
  stop_deadline_.arm_after(kStopGrace);
}

void ForkListener::finish_stop() noexcept {
  stop_deadline_.cancel();
  if (auto done = std::exchange(stopped_, nullptr)) done();
}

void ForkListener::set_log_level(int level) noexcept {
  setup_.log_level = level;
  setup_.log->set_level(static_cast<spdlog::level::level_enum>(level));
}

void ForkListener::on_ready(std::uint32_t) noexcept { accept_some(); }

void ForkListener::accept_some() noexcept {
  for (int i = 0; i < kAcceptBatch && accepting_; ++i) {
    if (!ready_link()) return;
    net::UniqueFd fd(
        ::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return;
      accept_failed(errno);
      return;
    }
    backoff_delay_ = {};  // a shortage after this starts its pause over
    accept_errors_.settle(log_, loop_.now());
    if (children_.size() >= setup_.limits.max_connections) {
      refusals_.hit(log_, loop_.now(), net::peer_address(fd.get()));
      refuse(fd.get());
      continue;
    }
    refusals_.settle(log_, loop_.now());
    spawn(std::move(fd));
  }
}

// Out of descriptors, memory or processes: accepting again at once would
// fail again while the socket stays readable, so stop watching it for a
// while instead of spinning.
void ForkListener::accept_failed(int error) noexcept {
  accept_errors_.hit(log_, loop_.now(), std::strerror(error));
  if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM)
    pause_accepting();
}

void ForkListener::pause_accepting() noexcept {
  if (accept_backoff_.armed()) return;
  loop_.remove(listen_fd_.get());
  backoff_delay_ = backoff_delay_ == event::Clock::duration{}
                       ? std::chrono::duration_cast<event::Clock::duration>(kBackoffFirst)
                       : std::min<event::Clock::duration>(backoff_delay_ * 2, kBackoffMax);
  accept_backoff_.arm_after(backoff_delay_);
}

void ForkListener::resume_accepting() noexcept {
  if (!accepting_) return;
  try {
    loop_.add(listen_fd_.get(), EPOLLIN, *this);
  } catch (const std::exception& e) {
    log_.error("cannot watch the listening socket again: {}", e.what());
    accept_backoff_.arm_after(kBackoffMax);
    return;
  }
  accept_some();
  if (!accept_backoff_.armed()) backoff_delay_ = {};
}

void ForkListener::refuse(int fd) noexcept {
  const auto& refusal = setup_.protocol.refusal;
  if (!refusal.empty()) ::send(fd, refusal.data(), refusal.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

bool ForkListener::ready_link() noexcept {
  if (!hub_ || spare_link_) return true;
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
    accept_failed(errno);
    return false;
  }
  spare_link_.emplace(net::UniqueFd(pair[0]), net::UniqueFd(pair[1]));
  return true;
}

void ForkListener::spawn(net::UniqueFd client) noexcept {
  net::UniqueFd ours, theirs;
  if (hub_) {
    ours = std::move(spare_link_->first);  // accept_some() made it
    theirs = std::move(spare_link_->second);
    spare_link_.reset();
  }
  const proto::ConnectionId connection = next_id_++;
  const pid_t pid = ::fork();
  if (pid == 0)
    run_child({master_, client.get(), theirs.get(), connection, setup_.name, setup_.limits,
               setup_.protocol, loggers_, setup_.log_level, setup_.log_fields});
  if (pid < 0) {
    const int error = errno;
    fork_errors_.hit(log_, loop_.now(), std::strerror(error));
    refuse(client.get());
    pause_accepting();
    return;
  }
  fork_errors_.settle(log_, loop_.now());
  try {
    children_.emplace(pid, connection);
    host_.child_started(pid, id());
    if (hub_) {
      pids_.emplace(connection, pid);
      hub_->add(connection, std::move(ours));
    }
  } catch (const std::exception& e) {
    log_.error("cannot track connection process {}: {}", pid, e.what());
    ended_on_purpose_.insert(pid);
    ::kill(pid, SIGKILL);
  }
  host_.connections_changed(id());
}

void ForkListener::cut_off(proto::ConnectionId connection) noexcept {
  const auto it = pids_.find(connection);
  if (it == pids_.end()) return;
  ended_on_purpose_.insert(it->second);
  ::kill(it->second, SIGKILL);
}

void ForkListener::child_exited(pid_t pid, int status) noexcept {
  const auto it = children_.find(pid);
  if (it == children_.end()) return;
  const proto::ConnectionId connection = it->second;
  children_.erase(it);
  log_exit(pid, status);
  ended_on_purpose_.erase(pid);
  if (hub_) {
    pids_.erase(connection);
    hub_->remove(connection);
  }
  host_.connections_changed(id());
  if (stopping_) {
    if (children_.empty()) finish_stop();
  } else if (draining_ && children_.empty()) {
    host_.drained(id());
  }
}

void ForkListener::log_exit(pid_t pid, int status) noexcept {
  if (WIFSIGNALED(status) && !ended_on_purpose_.contains(pid)) {
    const int signal = WTERMSIG(status);
    log_.warn("connection process {} was killed by signal {} ({}); the listener carries on",
              pid, signal, ::strsignal(signal));
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    log_.debug("connection process {} exited with status {}", pid, WEXITSTATUS(status));
  }
}

}  // namespace netcook::model::fork
