#include "model/fork/driver.hpp"

#include "model/fork/master.hpp"
#include "model/fork/master_client.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace netcook::model::fork {
namespace {

// Starting a listener runs the ProtocolLoader in the master; stopping one
// waits for its processes (about 2 s at worst, see ForkListener::stop).
constexpr std::chrono::milliseconds kStartWait{10'000};
constexpr std::chrono::milliseconds kStopWait{5'000};

class ForkDriver final : public Driver {
 public:
  ForkDriver(DriverSettings settings, int listen_fd)
      : settings_(std::move(settings)),
        listen_fd_(listen_fd),
        state_(std::make_shared<MasterClient::Listener>()) {
    state_->on_drained = settings_.on_drained;
    state_->log = settings_.log;
    id_ = client().add(state_);
  }

  // The master ends the listener's processes (SIGTERM, then SIGKILL) and
  // acknowledges once they are reaped.
  ~ForkDriver() override {
    if (started_) call(Op::stop, kStopWait);
    client().remove(id_);
  }

  void start() override {
    ControlMessage message;
    message.op = Op::start;
    message.listener = id_;
    message.name = settings_.listener;
    message.spec = settings_.spec;
    message.limits = settings_.limits;
    message.log_level = settings_.log ? settings_.log->level() : spdlog::level::info;
    const std::string error = client().request(std::move(message), listen_fd_, kStartWait);
    if (!error.empty())
      throw std::runtime_error(
          fmt::format("the fork master cannot start listener {}: {}", settings_.listener, error));
    started_ = true;
  }

  // Synchronous: the master has stopped watching and closed its copy of the
  // listening socket when this returns.
  void stop_accepting() override {
    if (!started_) return;
    state_->draining = true;
    call(Op::stop_accepting, kStopWait);
  }

  // As last reported by the master.
  std::size_t connections() const noexcept override { return state_->connections.load(); }

  // The master's loop serves every fork listener.
  std::vector<event::Heartbeat*> heartbeats() override { return {&master_heartbeat()}; }

 private:
  static MasterClient& client() { return MasterClient::instance(); }

  // A request that cannot fail the caller: errors are logged.
  void call(Op op, std::chrono::milliseconds timeout) noexcept {
    try {
      ControlMessage message;
      message.op = op;
      message.listener = id_;
      const std::string error = client().request(std::move(message), -1, timeout);
      if (!error.empty() && settings_.log) settings_.log->error("fork master: {}", error);
    } catch (const std::exception& e) {
      if (settings_.log) settings_.log->error("fork master: {}", e.what());
    }
  }

  DriverSettings settings_;
  const int listen_fd_;
  std::shared_ptr<MasterClient::Listener> state_;
  std::uint64_t id_ = 0;
  bool started_ = false;
};

}  // namespace

std::unique_ptr<Driver> make_fork_driver(DriverSettings settings, int listen_fd,
                                         proto::Protocol) {
  if (!master_running())
    throw std::runtime_error(
        "the fork model needs the fork master, which is not running (it must be started "
        "at start-up, before any thread)");
  return std::make_unique<ForkDriver>(std::move(settings), listen_fd);
}

}  // namespace netcook::model::fork
