#pragma once

// A child process started by a test: stdin is /dev/null, stdout and stderr
// are captured line by line. The object is the child's only owner: the
// destructor kills (SIGKILL) and reaps it if it is still there, and never
// touches any other process.

#include "deadline.hpp"
#include "line_log.hpp"
#include "pipe_reader.hpp"

#include <sys/types.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace netcook::test {

class Process {
 public:
  // Runs argv[0] (a path, no PATH search) with `argv`. The child gets
  // default signal dispositions, an empty signal mask, and SIGKILL if the
  // test process dies first (PR_SET_PDEATHSIG, which follows the creating
  // thread: create a Process on a thread that outlives it, e.g. the test's
  // main thread). `env` entries ("NAME=value") are added to the test's own
  // environment, replacing variables of the same name. `fd3`, unless -1,
  // is given to the child as its descriptor 3 (where systemd puts the first
  // socket-activated socket), open across exec; the caller keeps owning
  // its own descriptor. Throws if the program cannot be executed.
  explicit Process(const std::vector<std::string>& argv,
                   const std::vector<std::string>& env = {}, int fd3 = -1);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  const LineLog& out() const { return out_->log(); }
  const LineLog& err() const { return err_->log(); }

  // Safe until destruction: the child is not reaped before, so its pid
  // cannot belong to anyone else.
  void send_signal(int signal) const;

  // The exit code, or 128 + signal number if a signal ended the child (as
  // a shell reports it); nullopt if it is still running after `timeout`.
  std::optional<int> wait_exit(Timeout timeout) const;

  // Waits until both pipes are at end of file (all output captured).
  bool wait_output_closed(Timeout timeout) const;

 private:
  void watch_exit();

  pid_t pid_ = -1;
  std::unique_ptr<PipeReader> out_;
  std::unique_ptr<PipeReader> err_;

  mutable std::mutex mutex_;
  mutable std::condition_variable exited_changed_;
  std::optional<int> exit_status_;
  std::thread watcher_;  // waits for the exit without reaping (WNOWAIT)
};

// The full path of program `name` found in $PATH (executable regular
// files only), or nullopt: Process does no PATH search itself.
std::optional<std::string> find_program(const std::string& name);

// Runs a command to completion (for CLI tests).
struct RunResult {
  std::optional<int> exit_status;  // nullopt: killed after the timeout
  std::string out;
  std::string err;
};
RunResult run_to_completion(const std::vector<std::string>& argv,
                            Timeout timeout = kWait);

}  // namespace netcook::test
