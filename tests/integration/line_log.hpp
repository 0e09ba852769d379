#pragma once

// The lines a child process wrote to one of its pipes, shared between the
// thread that reads the pipe (appends) and the test (waits and searches).
// Every member is thread-safe.

#include "deadline.hpp"

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::test {

struct LineMatch {
  std::size_t index = 0;            // of the line in the log
  std::string line;                 // the whole line, without '\n'
  std::vector<std::string> groups;  // [0] = whole match, then sub-matches
};

class LineLog {
 public:
  // Writer side (the pipe reader thread).
  void append(std::string line);
  void close();  // end of file: no more lines will come

  std::size_t size() const;
  bool closed() const;
  std::vector<std::string> lines() const;
  // All lines, each followed by '\n'.
  std::string text() const;
  // How many lines at index >= `from` hold `text`; never waits.
  std::size_t count(std::string_view text, std::size_t from = 0) const;

  // The first line at index >= `from` in which `pattern` is found
  // (std::regex_search); waits up to `timeout` for it to arrive. nullopt on
  // timeout, or when the log is closed without a match.
  std::optional<LineMatch> wait_for(const std::regex& pattern, Timeout timeout,
                                    std::size_t from = 0) const;

  // The last line at index >= `from` matching `pattern`; never waits.
  std::optional<LineMatch> find_last(const std::regex& pattern,
                                     std::size_t from = 0) const;

  // Waits until close() was called; false on timeout.
  bool wait_closed(Timeout timeout) const;

 private:
  std::optional<LineMatch> search_locked(const std::regex& pattern,
                                         std::size_t from, bool last) const;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<std::string> lines_;
  bool closed_ = false;
};

}  // namespace netcook::test
