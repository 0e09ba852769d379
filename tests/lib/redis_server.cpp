#include "redis_server.hpp"

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace netcook::test {
namespace {

constexpr std::string_view kReadyLine = "Ready to accept connections";
constexpr std::string_view kPortTaken = "Address already in use";
constexpr int kStartAttempts = 20;
constexpr std::chrono::seconds kExitGrace{5};

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Process does no PATH search after fork (execv only): find it before.
std::string find_redis_server() {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    if (dir.empty()) continue;
    std::string candidate = std::string(dir) + "/redis-server";
    struct stat st{};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  throw std::runtime_error("redis-server is not in $PATH (Debian: apt install redis-server)");
}

// A port nobody listens on now (Redis cannot be given port 0). Another
// process may take it before the server binds it: start_once() notices,
// and the caller tries another.
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int error = errno;
    ::close(fd);
    errno = error;
    throw_errno("binding 127.0.0.1:0 to find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string make_temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                        "/netcookd-redis-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw_errno("mkdtemp " + pattern);
  return pattern;
}

RedisReply copy_reply(const redisReply& reply) {
  RedisReply copy;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      copy.type = RedisReply::Type::string;
      copy.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      copy.type = RedisReply::Type::status;
      copy.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      copy.type = RedisReply::Type::error;
      copy.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      copy.type = RedisReply::Type::integer;
      copy.integer = reply.integer;
      copy.text = std::to_string(reply.integer);
      break;
    case REDIS_REPLY_ARRAY:
      copy.type = RedisReply::Type::array;
      for (std::size_t i = 0; i < reply.elements; ++i) {
        copy.elements.push_back(copy_reply(*reply.element[i]));
      }
      break;
    default:
      copy.type = RedisReply::Type::nil;
      break;
  }
  return copy;
}

void flatten(const RedisReply& reply, std::vector<std::string>& out) {
  if (reply.type == RedisReply::Type::array) {
    for (const auto& element : reply.elements) flatten(element, out);
  } else {
    out.push_back(reply.text);
  }
}

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;
struct ReplyFree {
  void operator()(void* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<void, ReplyFree>;

RedisReply run_blocking(redisContext& context, const std::vector<std::string_view>& argv) {
  std::vector<const char*> pointers;
  std::vector<std::size_t> lengths;
  for (const auto arg : argv) {
    pointers.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  ReplyPtr reply(redisCommandArgv(&context, static_cast<int>(argv.size()), pointers.data(),
                                  lengths.data()));
  if (reply == nullptr) {
    throw std::runtime_error("redis command " + std::string(argv.empty() ? "" : argv[0]) +
                             " failed: " + context.errstr);
  }
  return copy_reply(*static_cast<redisReply*>(reply.get()));
}

}  // namespace

std::vector<std::string> RedisReply::flat() const {
  std::vector<std::string> out;
  flatten(*this, out);
  return out;
}

// Reads the server's stdout (its log, with --logfile '') to end of file on
// a thread of its own, so the server never blocks on a full pipe, and
// tells the waiting test when the ready line came or the output ended.
class RedisServer::OutputReader {
 public:
  explicit OutputReader(int fd) : fd_(fd), thread_([this] { run(); }) {}
  ~OutputReader() {
    thread_.join();  // the server has exited: end of file has come or comes
    ::close(fd_);
  }

  // True when ready; false when the output ended first or on timeout.
  bool wait_ready(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [this] { return ready_ || ended_; });
    return ready_;
  }
  bool wait_ended(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return ended_; });
  }
  std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  void run() {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(fd_, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard lock(mutex_);
      if (n <= 0) {
        ended_ = true;
        changed_.notify_all();
        return;
      }
      text_.append(buffer, static_cast<std::size_t>(n));
      if (!ready_ && text_.find(kReadyLine) != std::string::npos) {
        ready_ = true;
        changed_.notify_all();
      }
    }
  }

  const int fd_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string text_;
  bool ready_ = false;
  bool ended_ = false;
  std::thread thread_;
};

RedisServer::RedisServer(RedisServerOptions options)
    : options_(std::move(options)), dir_(make_temp_dir()), unix_path_(dir_ + "/redis.sock") {
  try {
    for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
      port_ = free_port();
      if (start_once()) return;
    }
    throw std::runtime_error("redis-server: no free port after " +
                             std::to_string(kStartAttempts) + " attempts\n" + output());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    throw;
  }
}

RedisServer::~RedisServer() {
  try {
    stop();
  } catch (...) {
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string RedisServer::url() const {
  return "redis://127.0.0.1:" + std::to_string(port_) + "/0";
}

bool RedisServer::start_once() {
  const std::string program = find_redis_server();
  const std::string port = std::to_string(port_);
  // Every string the child needs, made before fork(): after it, only
  // async-signal-safe calls.
  const std::vector<std::string> args = {
      program,      "--port",        port,   "--bind",        "127.0.0.1",
      "--unixsocket", unix_path_,    "--unixsocketperm", "700",
      "--dir",      dir_,            "--save", "",            "--appendonly", "no",
      "--daemonize", "no",           "--logfile", "",         "--protected-mode", "no",
      "--databases", "16",
  };
  std::vector<std::string> all = args;
  if (!options_.password.empty()) {
    all.push_back("--requirepass");
    all.push_back(options_.password);
  }
  std::vector<char*> argv;
  for (auto& arg : all) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw_errno("pipe2");
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    const int error = errno;
    ::close(out[0]);
    ::close(out[1]);
    errno = error;
    throw_errno("fork");
  }
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  pid_ = child;
  // Before any reaping: it is our child. (glibc 2.36's sys/pidfd.h lacks
  // extern "C", hence the raw system call.)
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, child, 0));
  reader_ = std::make_unique<OutputReader>(out[0]);

  if (reader_->wait_ready(options_.ready_timeout)) return true;

  const bool port_taken = reader_->wait_ended(kExitGrace) &&
                          reader_->text().find(kPortTaken) != std::string::npos;
  const std::string text = reader_->text();
  kill();  // reaps it whatever state it is in
  if (port_taken) return false;
  throw std::runtime_error("redis-server on port " + port + " did not become ready:\n" + text);
}

void RedisServer::wait_exit() {
  bool exited = false;
  if (pidfd_ >= 0) {
    pollfd poll_fd{pidfd_, POLLIN, 0};
    int ready;
    do {
      ready = ::poll(&poll_fd, 1, static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(kExitGrace).count()));
    } while (ready < 0 && errno == EINTR);
    exited = ready > 0;
  }
  if (!exited) ::kill(pid_, SIGKILL);  // not reaped yet: still our child's pid
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  if (pidfd_ >= 0) ::close(pidfd_);
  pidfd_ = -1;
  pid_ = -1;
  if (reader_ != nullptr) {
    reader_->wait_ended(kExitGrace);
    past_output_ += reader_->text();
    reader_.reset();
  }
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  ::kill(pid_, SIGCONT);  // a paused server handles SIGTERM only once continued
  wait_exit();
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_exit();
}

void RedisServer::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

void RedisServer::restart() {
  stop();
  // The same port: clients are to find it again where they lost it. Its
  // sockets in TIME_WAIT do not stop Redis (SO_REUSEADDR); another process
  // taking the port in between would.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (start_once()) return;
  }
  throw std::runtime_error("redis-server: port " + std::to_string(port_) +
                           " taken by another process on restart\n" + output());
}

RedisReply RedisServer::command(std::initializer_list<std::string_view> argv) const {
  return command(std::vector<std::string>(argv.begin(), argv.end()));
}

RedisReply RedisServer::command(const std::vector<std::string>& argv) const {
  const timeval timeout{5, 0};
  ContextPtr context(redisConnectWithTimeout("127.0.0.1", port_, timeout));
  if (context == nullptr) throw std::runtime_error("redis: cannot allocate a context");
  if (context->err != 0) {
    throw std::runtime_error("redis: connecting to 127.0.0.1:" + std::to_string(port_) + ": " +
                             context->errstr);
  }
  redisSetTimeout(context.get(), timeout);
  if (!options_.password.empty()) {
    const RedisReply auth = run_blocking(*context, {"AUTH", options_.password});
    if (auth.is_error()) throw std::runtime_error("redis: AUTH failed: " + auth.text);
  }
  return run_blocking(*context, std::vector<std::string_view>(argv.begin(), argv.end()));
}

std::string RedisServer::output() const {
  return past_output_ + (reader_ != nullptr ? reader_->text() : std::string{});
}

}  // namespace netcook::test
