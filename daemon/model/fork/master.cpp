#include "model/fork/master.hpp"

#include "model/fork/master_process.hpp"
#include "model/fork/process_setup.hpp"
#include "model/thread_name.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace netcook::model::fork {
namespace {

// A master that cannot take a request for this long is treated as stuck.
constexpr timeval kSendTimeout{5, 0};

std::size_t thread_count() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task"))
    ++count;
  return count;
}

// The master beats, the main process reads: a page both keep after fork,
// never unmapped (a handle may be made again, in tests).
event::Heartbeat& make_shared_heartbeat() {
  void* page = ::mmap(nullptr, sizeof(event::Heartbeat), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED)
    throw std::system_error(errno, std::generic_category(),
                            "cannot map the fork master's heartbeat");
  return *std::construct_at(static_cast<event::Heartbeat*>(page));
}

// The life of the fork master, from fork() to _exit(): it never returns
// into the caller's stack. `parent` is the main process.
[[noreturn]] void run_master(pid_t parent, net::UniqueFd control, metrics::Arena& arena,
                             ProtocolFactory protocols,
                             LoggerFactory loggers, event::Heartbeat& heartbeat) noexcept {
  if (!die_with_parent(parent)) ::_exit(0);
  reset_signals_for_fork_process();
  // Shutdown is the main process's decision: it drains, then stops us.
  ::signal(SIGTERM, SIG_IGN);
  close_fds_except({control.get()});
  set_thread_name("fork-master");
  int status = 0;
  try {
    event::block_signals({SIGCHLD});
    MasterProcess master(std::move(control), arena, std::move(protocols), std::move(loggers),
                         heartbeat);
    master.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "netcookd: the fork master failed: %s\n", e.what());
    status = 1;
  } catch (...) {
    status = 1;
  }
  ::_exit(status);
}

}  // namespace

std::unique_ptr<Master> Master::start(metrics::Arena& arena, ProtocolFactory protocols,
                                      LoggerFactory loggers) {
  if (const std::size_t threads = thread_count(); threads != 1)
    throw std::logic_error(fmt::format(
        "the fork master must be started before any thread exists (this process has {})", threads));
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
    throw std::system_error(errno, std::generic_category(),
                            "cannot make the fork master's control socket");
  net::UniqueFd ours(pair[0]), theirs(pair[1]);
  event::Heartbeat& heartbeat = make_shared_heartbeat();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    throw std::system_error(errno, std::generic_category(), "cannot fork the fork master");
  if (pid == 0) {
    ours.reset();
    run_master(parent, std::move(theirs), arena, std::move(protocols), std::move(loggers), heartbeat);
  }
  theirs.reset();
  ::setsockopt(ours.get(), SOL_SOCKET, SO_SNDTIMEO, &kSendTimeout, sizeof kSendTimeout);
  return std::unique_ptr<Master>(new Master(pid, std::move(ours), heartbeat));
}

Master::Master(pid_t pid, net::UniqueFd control, event::Heartbeat& heartbeat)
    : pid_(pid), control_(std::move(control)), heartbeat_(&heartbeat) {}

Master::~Master() {
  stop();
}

bool Master::running() const noexcept {
  std::lock_guard lock(mutex_);
  return connected_ && !stopping_;
}

std::string Master::set_log_level(int level) noexcept {
  if (!running()) return {};
  try {
    ControlMessage message;
    message.op = Op::log_level;
    message.log_level = level;
    return request(std::move(message), {}, std::chrono::seconds(5));
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace netcook::model::fork
