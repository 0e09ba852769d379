#pragma once

// What /proc says about the processes under a daemon: children, states,
// threads, open descriptors, resident memory and CPU time. Linux only; a
// process that is gone reads as empty.

#include "unique_fd.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

namespace netcook::test {

// The whole of a (small) /proc file; empty if it cannot be read.
inline std::string read_text(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string text;
  char chunk[4096];
  ssize_t n = 0;
  while (fd.valid() && (n = ::read(fd.get(), chunk, sizeof chunk)) > 0) {
    text.append(chunk, static_cast<std::size_t>(n));
  }
  return text;
}

// The children of `pid`, from /proc/PID/task/*/children.
inline std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> children;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(tasks.c_str());
  if (dir == nullptr) return children;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::istringstream list(read_text(tasks + "/" + entry->d_name + "/children"));
    for (pid_t child = 0; list >> child;) children.push_back(child);
  }
  ::closedir(dir);
  return children;
}

// Children, grandchildren and so on, parents before their children.
inline std::vector<pid_t> descendants_of(pid_t pid) {
  std::vector<pid_t> found = children_of(pid);
  for (std::size_t i = 0; i < found.size(); ++i) {
    const auto more = children_of(found[i]);
    found.insert(found.end(), more.begin(), more.end());
  }
  return found;
}

// The state letter of `pid` (R, S, Z, ...), or '\0' if there is no such
// process.
inline char process_state(pid_t pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() ? '\0' : stat[paren + 2];
}

// The parent of `pid` (0 if there is no such process).
inline pid_t parent_of(pid_t pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 2));
  char state = 0;
  pid_t parent = 0;
  fields >> state >> parent;
  return parent;
}

// The zombies below `pid`, as "PID" strings for a readable failure.
inline std::vector<std::string> zombies_below(pid_t pid) {
  std::vector<std::string> zombies;
  for (const pid_t child : descendants_of(pid))
    if (process_state(child) == 'Z') zombies.push_back(std::to_string(child));
  return zombies;
}

// The entries of directory `path` other than "." and ".." (0 if it cannot
// be read).
inline std::size_t entry_count(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return 0;
  std::size_t count = 0;
  while (const dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') ++count;
  ::closedir(dir);
  return count;
}

// The threads of `pid` (0 if gone).
inline std::size_t thread_count(pid_t pid) {
  return entry_count("/proc/" + std::to_string(pid) + "/task");
}

// The descriptors `pid` has open (0 if gone).
inline std::size_t fd_count(pid_t pid) {
  return entry_count("/proc/" + std::to_string(pid) + "/fd");
}

// VmRSS of `pid` in KiB (0 if gone).
inline long rss_kib(pid_t pid) {
  std::istringstream status(read_text("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return 0;
}

// CPU time (user + system, all threads) of `pid` in clock ticks
// (sysconf(_SC_CLK_TCK) a second), from /proc/PID/stat; 0 if gone.
inline long cpu_ticks(pid_t pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  // After the command: state (field 3) ... utime (14), stime (15).
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  long total = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i >= 14) total += std::stol(field);
  return total;
}

// The daemon's RSS plus its descendants' (the fork master and connection
// processes), in KiB.
inline long tree_rss_kib(pid_t daemon) {
  long total = rss_kib(daemon);
  for (const pid_t pid : descendants_of(daemon)) total += rss_kib(pid);
  return total;
}

}  // namespace netcook::test
