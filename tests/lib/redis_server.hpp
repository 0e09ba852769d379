#pragma once

// A private redis-server for one test: started on 127.0.0.1 at a free port
// and on a unix socket in its own temporary directory, with no persistence
// (--save '' --appendonly no), logging to its stdout, which is read until
// "Ready to accept connections" (bounded; no sleeps). The object is the
// server's only owner: the destructor stops it and removes its directory.
// Only the process this object started is ever signalled, by its pid.
//
// Needs redis-server in $PATH (Debian: redis-server; Fedora: redis).
// Not thread-safe: use one RedisServer from one thread (the test's main
// thread: the child gets SIGKILL if the thread that started it exits,
// PR_SET_PDEATHSIG).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::test {

struct RedisServerOptions {
  // Non-empty: the server requires it (--requirepass); command() sends
  // AUTH with it first.
  std::string password;
  // How long start-up (and a restart) may take before an exception.
  std::chrono::milliseconds ready_timeout{10000};
};

// A reply, copied out of hiredis's redisReply.
struct RedisReply {
  enum class Type { string, array, integer, nil, status, error };
  Type type = Type::nil;
  // string, status and error: the text; integer: its decimal digits.
  std::string text;
  long long integer = 0;       // integer only
  std::vector<RedisReply> elements;  // array only

  bool is_error() const { return type == Type::error; }
  // The leaves in order, depth first (nil: ""): {"OK"}, {"a", "b"}, {"3"}.
  std::vector<std::string> flat() const;
};

class RedisServer {
 public:
  // Starts the server; throws std::runtime_error (with its output) if it
  // does not become ready in time.
  explicit RedisServer(RedisServerOptions options = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::uint16_t port() const { return port_; }
  // "redis://127.0.0.1:PORT/0": the form netcookd's configuration takes.
  std::string url() const;
  // The server's unix socket (an absolute path).
  const std::string& unix_path() const { return unix_path_; }
  // The running server's pid; -1 after stop() or kill().
  pid_t pid() const { return pid_; }
  const std::string& password() const { return options_.password; }
  bool running() const { return pid_ > 0; }

  // SIGTERM (and SIGCONT, in case it is paused), then waits for the exit
  // (SIGKILL after 5 s). Nothing when not running.
  void stop();
  // SIGKILL and waits: a crash, as the clients see it.
  void kill();
  // SIGSTOP: the server keeps its sockets but answers nothing (a hung or
  // unreachable server, as the clients see it).
  void pause();
  // SIGCONT after pause().
  void resume();
  // stop() (when running), then a new server on the same port and socket,
  // empty. Throws like the constructor.
  void restart();

  // Runs a command with hiredis's blocking API on a new TCP connection
  // (AUTH first when there is a password), with a 5 s timeout. An error
  // reply is a reply (is_error()); a connection or I/O failure throws
  // std::runtime_error.
  RedisReply command(std::initializer_list<std::string_view> argv) const;
  RedisReply command(const std::vector<std::string>& argv) const;

  // The server's output so far (its log), for failure messages.
  std::string output() const;

 private:
  class OutputReader;

  // One attempt on port_: true when ready; false when the port was taken
  // (the server said so and exited). Throws on anything else.
  bool start_once();
  void wait_exit();

  RedisServerOptions options_;
  std::string dir_;
  std::string unix_path_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::unique_ptr<OutputReader> reader_;
  std::string past_output_;  // of servers before the current one
};

}  // namespace netcook::test
