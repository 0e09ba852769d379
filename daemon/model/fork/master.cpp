#include "model/fork/master.hpp"

#include "model/fork/master_client.hpp"
#include "model/fork/master_process.hpp"
#include "model/fork/process_setup.hpp"
#include "model/thread_name.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace netcook::model::fork {
namespace {

std::size_t thread_count() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task"))
    ++count;
  return count;
}

// The life of the fork master, from fork() to _exit(): it never returns
// into the caller's stack. `parent` is the main process.
event::Heartbeat* g_heartbeat = nullptr;  // in a MAP_SHARED page, never unmapped

// The master beats, the main process reads: a page both keep after fork.
event::Heartbeat& make_shared_heartbeat() {
  void* page = ::mmap(nullptr, sizeof(event::Heartbeat), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED)
    throw std::system_error(errno, std::generic_category(),
                            "cannot map the fork master's heartbeat");
  return *std::construct_at(static_cast<event::Heartbeat*>(page));
}

[[noreturn]] void run_master(pid_t parent, net::UniqueFd control, ProtocolLoader loader,
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
    MasterProcess master(std::move(control), std::move(loader), std::move(loggers), heartbeat);
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

void start_master(ProtocolLoader loader, LoggerFactory loggers) {
  if (master_running()) throw std::logic_error("the fork master is already running");
  if (const std::size_t threads = thread_count(); threads != 1)
    throw std::logic_error(fmt::format(
        "the fork master must be started before any thread exists (this process has {})",
        threads));
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
    throw std::system_error(errno, std::generic_category(),
                            "cannot make the fork master's control socket");
  net::UniqueFd ours(pair[0]), theirs(pair[1]);
  if (g_heartbeat == nullptr) g_heartbeat = &make_shared_heartbeat();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    throw std::system_error(errno, std::generic_category(), "cannot fork the fork master");
  if (pid == 0) {
    ours.reset();
    run_master(parent, std::move(theirs), std::move(loader), std::move(loggers), *g_heartbeat);
  }
  theirs.reset();
  MasterClient::instance().attach(pid, std::move(ours));
}

void stop_master() noexcept { MasterClient::instance().stop(); }

bool master_running() noexcept { return MasterClient::instance().running(); }

std::string set_master_log_level(int level) noexcept {
  if (!master_running()) return {};
  try {
    ControlMessage message;
    message.op = Op::log_level;
    message.log_level = level;
    return MasterClient::instance().request(std::move(message), -1, std::chrono::seconds(5));
  } catch (const std::exception& e) {
    return e.what();
  }
}

pid_t master_pid() noexcept { return master_running() ? MasterClient::instance().pid() : 0; }

event::Heartbeat& master_heartbeat() noexcept { return *g_heartbeat; }

}  // namespace netcook::model::fork
