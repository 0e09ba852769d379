#include "model/fork/fork_listener.hpp"

#include "metrics/cpu.hpp"
#include "model/fork/child_process.hpp"
#include "model/fork/vetting_link.hpp"
#include "net/socket.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>

#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace netcook::model::fork {
namespace {

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
      listening_(loop_, listen_fd_.borrow(), *this),
      master_(::getpid()),
      count_(setup_.limits.max_connections, [this] { host_.drained(id()); }),
      sources_(setup_.limits.guards),
      gate_(log_, count_, sources_, setup_.protocol, setup_.metrics),
      accept_pause_(loop_, [this] { resume_accepting(); }),
      stop_deadline_(loop_, [this] { escalate_stop(); }),
      free_retired_links_(loop_, [this] { retired_links_.clear(); }) {
  if (setup_.protocol.make_service) {
    auto wake = WakeSignal::make();
    hub_ = std::make_unique<Hub>(
        loop_, setup_.protocol.make_service({setup_.metrics, setup_.log.get(), wake->handle()}),
        wake, setup_.limits.max_outbox, log_,
        [this](proto::ConnectionId connection) { cut_off(connection); });
  }
}

// Processes still alive die with the master, or are reaped later and
// ignored (their listener is gone).
ForkListener::~ForkListener() {
  close_listening();
}

void ForkListener::start() {
  listening_.watch(EPOLLIN);
  accepting_ = true;
}

void ForkListener::close_listening() noexcept {
  accepting_ = false;
  listening_.cancel();
  accept_pause_.cancel();
  listen_fd_.reset();
}

void ForkListener::stop_accepting(CloseReason why) noexcept {
  end_reason_ = why;
  close_listening();
  if (!stopping_) count_.drain();
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
  // The processes hear why before their links to the hub close.
  for (const auto& [pid, child] : children_) end(pid, end_reason_);
  if (hub_) {
    hub_->halt(end_reason_);
    // Freed after the loop's current batch of events, which may name its links.
    loop_.post([doomed = std::shared_ptr<Hub>(std::move(hub_))] {});
  }
  if (children_.empty())
    finish_stop();
  else
    stop_deadline_.arm_after(kStopGrace);
}

// SIGTERM carrying the reason: the process says its last words (what its
// socket takes at once), logs how its connection ended, and exits.
void ForkListener::end(pid_t pid, CloseReason why) noexcept {
  ended_on_purpose_.insert(pid);
  sigval value{};
  value.sival_int = static_cast<int>(why);
  ::sigqueue(pid, SIGTERM, value);
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

void ForkListener::renew_tls(TlsSetup setup) {
  if (setup_.tls) setup_.tls->set(std::move(setup));
}

void ForkListener::set_log_level(int level) noexcept {
  setup_.log_level = level;
  setup_.log->set_level(static_cast<spdlog::level::level_enum>(level));
}

void ForkListener::on_ready(std::uint32_t) noexcept {
  accept();
}

// Level-triggered: while connections wait, epoll reports the socket again.
// The master's CPU for accepting and forking is the listener's.
void ForkListener::accept() noexcept {
  const metrics::CpuMeter cpu(setup_.metrics.here().cpu_nsec);
  if (gate_.accept_some(listen_fd_.borrow(), *this, loop_.now()) != AcceptGate::Next::pause) return;
  listening_.cancel();
  accept_pause_.arm_at(gate_.resume_at());
}

void ForkListener::resume_accepting() noexcept {
  if (!accepting_) return;
  try {
    listening_.watch(EPOLLIN);
  } catch (const std::exception& e) {
    log_.error("cannot watch the listening socket again: {}", e.what());
    accept_pause_.arm_after(std::chrono::seconds(1));
    return;
  }
  accept();
}

// The link to the hub for the next connection (our end, the child's end),
// made before accepting it: out of descriptors, a client then waits in the
// backlog instead of being accepted and refused for want of a link.
int ForkListener::provision() noexcept {
  if (!hub_ || spare_link_) return 0;
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0)
    return errno;
  spare_link_.emplace(net::UniqueFd(pair[0]), net::UniqueFd(pair[1]));
  return 0;
}

// The master's copy of the connection's socket closes when the gate is
// done with the admission; the child keeps its own.
void ForkListener::admit(Admission& admission) {
  net::UniqueFd ours, theirs;
  if (hub_) {
    ours = std::move(spare_link_->first);  // provision() made it
    theirs = std::move(spare_link_->second);
    spare_link_.reset();
  }
  // A proxied peer's process asks the listener's rules here once its
  // header is read: its link is made now, or the connection is not served.
  // So does a TLS connection's, to report a failed handshake.
  net::UniqueFd vetting_ours, vetting_theirs;
  const TlsSetup tls = setup_.tls ? setup_.tls->get() : TlsSetup{};
  if (admission.awaits_proxy_header || tls.context) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
      throw std::system_error(errno, std::generic_category(), "socketpair");
    vetting_ours.reset(pair[0]);
    vetting_theirs.reset(pair[1]);
  }
  const proto::ConnectionId connection = next_id_++;
  const pid_t pid = ::fork();
  if (pid == 0)
    run_child({master_, admission.socket.borrow(), theirs.borrow(), vetting_theirs.borrow(),
               admission.awaits_proxy_header, tls, connection, setup_.name, setup_.limits,
               setup_.protocol, loggers_, setup_.log_level, setup_.log_fields, setup_.metrics});
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  try {
    children_.emplace(pid, Child{connection, std::move(admission.slot), {}});
    if (vetting_ours)
      vetting_links_.emplace(pid,
                             std::make_unique<VettingLink>(*this, pid, std::move(vetting_ours)));
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

// The hub cannot deliver to it: the process does not keep up.
void ForkListener::cut_off(proto::ConnectionId connection) noexcept {
  const auto it = pids_.find(connection);
  if (it != pids_.end()) end(it->second, CloseReason::outbox_overflow);
}

// Its socket is closed and its session gone; the Service hears that it
// left, and its place is given back last.
void ForkListener::child_exited(pid_t pid, int status) noexcept {
  const auto it = children_.find(pid);
  if (it == children_.end()) return;
  const proto::ConnectionId connection = it->second.id;
  Slot slot = std::move(it->second.slot);
  children_.erase(it);
  // A report it sent just before it exited is still to be read; the same
  // turn may also hold its link's event, so the link is retired, not freed.
  vetting_asked(pid);
  log_exit(pid, status);
  ended_on_purpose_.erase(pid);
  if (hub_) {
    pids_.erase(connection);
    hub_->remove(connection);
  }
  slot.release();
  host_.connections_changed(id());
  if (stopping_ && children_.empty()) finish_stop();
}

void ForkListener::log_exit(pid_t pid, int status) noexcept {
  if (WIFSIGNALED(status) && !ended_on_purpose_.contains(pid)) {
    const int signal = WTERMSIG(status);
    log_.warn("connection process {} was killed by signal {} ({}); the listener carries on", pid,
              signal, ::strsignal(signal));
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    log_.debug("connection process {} exited with status {}", pid, WEXITSTATUS(status));
  }
}

ForkListener::VettingLink::VettingLink(ForkListener& owner, pid_t pid, net::UniqueFd fd)
    : owner_(owner), pid_(pid), fd_(std::move(fd)), registration_(owner.loop_, fd_.borrow(), *this) {
  net::set_nonblocking(fd_.borrow(), true);
  registration_.watch(EPOLLIN);
}

void ForkListener::VettingLink::on_ready(std::uint32_t) noexcept {
  owner_.vetting_asked(pid_);
}

// One question per link: answered (or, for a report, counted and logged),
// the link goes; so does one whose child closed it or sent nonsense. On a
// TLS listener a proxied peer's process, once vetted, may still report a
// failed handshake: its link stays until that report or its end.
void ForkListener::vetting_asked(pid_t pid) noexcept {
  const auto link = vetting_links_.find(pid);
  if (link == vetting_links_.end()) return;
  const net::Fd fd = link->second->fd();
  const auto packet = read_vetting_packet(fd);
  bool done = true;
  if (packet) {
    if (const auto* request = std::get_if<VetRequest>(&*packet)) {
      SourceGuard::Verdict verdict;
      try {
        verdict = gate_.vet(request->peer, request->peer_text, loop_.now());
      } catch (const std::exception& e) {
        log_.warn("cannot apply the listener's rules to {}: {}", request->peer_text, e.what());
        verdict.refused = CloseReason::unserved;
      }
      if (const auto child = children_.find(pid); child != children_.end())
        child->second.source = std::move(verdict.hold);
      answer_vetting(fd, verdict.refused);
      done = !setup_.tls || verdict.refused.has_value();
    } else if (const auto* report = std::get_if<PreambleReport>(&*packet)) {
      gate_.preamble_failed(report->reason, report->peer_text, report->why, loop_.now());
    }
  }
  if (done) retire_vetting_link(pid);
}

void ForkListener::retire_vetting_link(pid_t pid) noexcept {
  const auto link = vetting_links_.find(pid);
  if (link == vetting_links_.end()) return;
  link->second->stop_watching();
  try {
    retired_links_.push_back(std::move(link->second));
    free_retired_links_.schedule();
  } catch (...) {
    // Freeing it now could leave a pending event naming it: leak it instead.
    static_cast<void>(link->second.release());
  }
  vetting_links_.erase(link);
}

}  // namespace netcook::model::fork
