#include "process.hpp"

#include <algorithm>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <system_error>

namespace netcook::test {

namespace {

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// The test's environment with `extra` ("NAME=value") added or replacing.
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> result;
  const auto name_of = [](const std::string& entry) {
    return entry.substr(0, entry.find('='));
  };
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string variable(*entry);
    const bool replaced = std::any_of(extra.begin(), extra.end(), [&](const std::string& e) {
      return name_of(e) == name_of(variable);
    });
    if (!replaced) result.push_back(variable);
  }
  result.insert(result.end(), extra.begin(), extra.end());
  return result;
}

// Runs in the forked child: only async-signal-safe calls from here on.
[[noreturn]] void exec_child(char* const* argv, char* const* envp, pid_t parent,
                             int in, int out, int err, int report, int fd3) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) {
    ::_exit(127);
  }
  ::dup2(in, STDIN_FILENO);
  ::dup2(out, STDOUT_FILENO);
  ::dup2(err, STDERR_FILENO);
  if (fd3 == 3) {
    ::fcntl(3, F_SETFD, 0);  // dup2() onto itself would keep close-on-exec
  } else if (fd3 >= 0) {
    // The exec error report must not be the descriptor replaced.
    if (report == 3) report = ::fcntl(report, F_DUPFD_CLOEXEC, 4);
    ::dup2(fd3, 3);
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    ::sigaction(sig, &dfl, nullptr);
  }
  ::execve(argv[0], argv, envp);
  const int error = errno;
  [[maybe_unused]] auto ignored = ::write(report, &error, sizeof error);
  ::_exit(127);
}

}  // namespace

Process::Process(const std::vector<std::string>& argv,
                 const std::vector<std::string>& env, int fd3) {
  std::vector<std::string> args = argv;
  std::vector<char*> c_argv;
  for (auto& arg : args) {
    c_argv.push_back(arg.data());
  }
  c_argv.push_back(nullptr);
  std::vector<std::string> environment = child_environment(env);
  std::vector<char*> c_env;
  for (auto& entry : environment) {
    c_env.push_back(entry.data());
  }
  c_env.push_back(nullptr);

  UniqueFd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  Pipe out = make_pipe();
  Pipe err = make_pipe();
  Pipe report = make_pipe();  // carries errno if exec fails
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    throw std::system_error(errno, std::generic_category(), "fork");
  }
  if (pid_ == 0) {
    exec_child(c_argv.data(), c_env.data(), parent, dev_null.get(), out.write.get(),
               err.write.get(), report.write.get(), fd3);
  }
  out.write.reset();
  err.write.reset();
  report.write.reset();
  out_ = std::make_unique<PipeReader>(std::move(out.read));
  err_ = std::make_unique<PipeReader>(std::move(err.read));
  watcher_ = std::thread([this] { watch_exit(); });

  int exec_error = 0;
  ssize_t n;
  do {
    n = ::read(report.read.get(), &exec_error, sizeof exec_error);
  } while (n < 0 && errno == EINTR);
  if (n == sizeof exec_error) {
    // The destructor does not run for a throwing constructor: reap here.
    watcher_.join();
    ::waitpid(pid_, nullptr, 0);
    throw std::system_error(exec_error, std::generic_category(),
                            "cannot execute " + argv.at(0));
  }
}

Process::~Process() {
  if (!wait_exit(Timeout{0})) {
    ::kill(pid_, SIGKILL);
  }
  watcher_.join();
  ::waitpid(pid_, nullptr, 0);  // reap: only now may the pid be reused
  out_->stop(Timeout{2000});
  err_->stop(Timeout{2000});
}

void Process::watch_exit() {
  siginfo_t info{};
  int rc;
  do {
    rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT);
  } while (rc != 0 && errno == EINTR);
  int status = 255;
  if (rc == 0) {
    status = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
  }
  {
    std::lock_guard lock(mutex_);
    exit_status_ = status;
  }
  exited_changed_.notify_all();
}

void Process::send_signal(int signal) const { ::kill(pid_, signal); }

std::optional<int> Process::wait_exit(Timeout timeout) const {
  std::unique_lock lock(mutex_);
  exited_changed_.wait_for(lock, timeout,
                           [this] { return exit_status_.has_value(); });
  return exit_status_;
}

bool Process::wait_output_closed(Timeout timeout) const {
  const Deadline deadline(timeout);
  return out().wait_closed(deadline.remaining()) &&
         err().wait_closed(deadline.remaining());
}

std::optional<std::string> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "/usr/bin:/bin";
  while (true) {
    const auto colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat info {};
    if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

RunResult run_to_completion(const std::vector<std::string>& argv,
                            Timeout timeout) {
  Process process(argv);
  const Deadline deadline(timeout);
  RunResult result;
  result.exit_status = process.wait_exit(deadline.remaining());
  process.wait_output_closed(deadline.remaining());
  result.out = process.out().text();
  result.err = process.err().text();
  return result;
}

}  // namespace netcook::test
