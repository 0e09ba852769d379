#pragma once

// A thread that reads one pipe from a child process and splits it into
// lines in a LineLog, until end of file or until stopped.

#include "deadline.hpp"
#include "line_log.hpp"
#include "unique_fd.hpp"

#include <thread>

namespace netcook::test {

class PipeReader {
 public:
  // Takes ownership of the read end `pipe_fd` and starts reading at once.
  explicit PipeReader(UniqueFd pipe_fd);
  // Stops the thread (see stop()).
  ~PipeReader();
  PipeReader(const PipeReader&) = delete;
  PipeReader& operator=(const PipeReader&) = delete;

  const LineLog& log() const { return log_; }

  // Waits up to `grace` for end of file (for output still in the pipe),
  // then makes the thread read what is left without blocking and exit.
  // Needed when a grandchild keeps the pipe open after the child died.
  void stop(Timeout grace);

 private:
  void run();
  // Reads what is available; false at end of file or on an error.
  bool drain(std::string& partial);

  UniqueFd pipe_;
  UniqueFd stop_event_;  // eventfd: readable when the thread must exit
  LineLog log_;
  std::thread thread_;
};

}  // namespace netcook::test
