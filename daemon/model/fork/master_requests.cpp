// The main process's side of the control protocol (master.hpp): requests and
// their acks, and the reader thread that takes what the master reports.

#include "model/fork/master.hpp"

#include "net/packet.hpp"

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

namespace netcook::model::fork {
namespace {

constexpr auto kStopWait = std::chrono::seconds(5);
constexpr auto kExitWait = std::chrono::milliseconds(3000);

}  // namespace

std::uint64_t Master::add(std::shared_ptr<Listener> listener) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void Master::remove(std::uint64_t id) noexcept {
  std::scoped_lock lock(callbacks_mutex_, mutex_);
  listeners_.erase(id);
}

std::string Master::request(ControlMessage message, net::Fd fd,
                            std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!connected_) throw std::runtime_error("the fork master is not running");
  start_reader();
  message.request = next_request_++;
  const std::string packet = encode(message);
  answers_.emplace(message.request, std::nullopt);
  lock.unlock();
  int error = 0;
  {
    std::lock_guard sending(send_mutex_);
    error = net::send_packet(control_.borrow(), packet, 0, fd);
  }
  lock.lock();
  if (error == 0)
    answered_.wait_for(lock, timeout, [&] {
      return answers_[message.request].has_value() || !connected_;
    });
  auto answer = std::move(answers_[message.request]);
  answers_.erase(message.request);
  if (answer) return *answer;
  if (error != 0) throw std::system_error(error, std::generic_category(), "cannot reach the fork master");
  throw std::runtime_error(connected_ ? "the fork master did not answer in time"
                                      : "the fork master is gone");
}

void Master::start_reader() {
  if (reader_.joinable()) return;
  // The thread starts with every signal blocked: signals are for the main
  // process's signalfd, never for this thread.
  sigset_t all, previous;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  try {
    reader_ = std::thread([this] { read_loop(); });
  } catch (...) {
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    throw;
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

void Master::read_loop() noexcept {
  std::vector<char> buffer(kMaxPacket);
  while (true) {
    const net::ReceivedPacket packet = net::receive_packet(control_.borrow(), buffer, 0);
    if (packet.size < 0 && (packet.error == EINTR || packet.error == EAGAIN)) continue;
    if (packet.size <= 0) break;
    if (packet.truncated) continue;
    if (const auto message = decode({buffer.data(), static_cast<std::size_t>(packet.size)}))
      dispatch(*message);
  }
  lost();
}

void Master::dispatch(const ControlMessage& message) noexcept {
  if (message.op == Op::ack) {
    std::lock_guard lock(mutex_);
    if (const auto it = answers_.find(message.request); it != answers_.end()) {
      it->second = message.error;
      answered_.notify_all();
    }
    return;
  }
  // callbacks_mutex_ stays held while the callback runs, so that remove()
  // returns only once no callback of that listener is running.
  std::lock_guard calling(callbacks_mutex_);
  std::shared_ptr<Listener> listener;
  {
    std::lock_guard lock(mutex_);
    const auto it = listeners_.find(message.listener);
    if (it == listeners_.end()) return;
    listener = it->second;
  }
  if (message.op == Op::connections) {
    listener->connections = message.value;
  } else if (message.op == Op::drained && listener->on_drained) {
    try {
      listener->on_drained();
    } catch (...) {
    }
  }
}

// The control socket ended: the master exited (stop()) or died.
void Master::lost() noexcept {
  std::lock_guard calling(callbacks_mutex_);
  std::vector<std::shared_ptr<Listener>> listeners;
  bool unexpected = false;
  {
    std::lock_guard lock(mutex_);
    connected_ = false;
    unexpected = !stopping_;
    answered_.notify_all();
    for (const auto& entry : listeners_) listeners.push_back(entry.second);
  }
  for (const auto& listener : listeners) {
    listener->connections = 0;
    if (!unexpected) continue;
    if (listener->log)
      listener->log->error("the fork master exited; this listener's connections are gone");
    if (listener->draining && listener->on_drained) {
      try {
        listener->on_drained();
      } catch (...) {
      }
    }
  }
  if (unexpected) reap(kExitWait);
}

bool Master::reap(std::chrono::milliseconds timeout, int signal) noexcept {
  std::lock_guard lock(reap_mutex_);
  const pid_t pid = pid_.load();
  if (pid <= 0) return true;
  if (signal != 0) ::kill(pid, signal);  // not reaped yet, so still our child
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const pid_t reaped = ::waitpid(pid, nullptr, WNOHANG);
    if (reaped == pid || (reaped < 0 && errno == ECHILD)) {
      pid_ = 0;
      return true;
    }
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void Master::stop() noexcept {
  bool connected = false;
  {
    std::lock_guard lock(mutex_);
    connected = connected_;
    stopping_ = true;  // the end of the control socket is expected now
  }
  if (connected) {
    try {
      ControlMessage message;
      message.op = Op::shutdown;
      request(message, {}, kStopWait);
    } catch (...) {
    }
  }
  if (!reap(kExitWait)) reap(kExitWait, SIGKILL);
  // The reader ends at the socket's end of file (it may be gone already).
  if (control_) ::shutdown(control_.get(), SHUT_RDWR);
  if (reader_.joinable()) reader_.join();
  std::lock_guard lock(mutex_);
  connected_ = false;
  control_.reset();
}

}  // namespace netcook::model::fork
