#include "model/fork/driver.hpp"

#include "model/fork/master.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace netcook::model::fork {
namespace {

// Starting a listener makes its Protocol in the master; stopping one waits
// for its processes (about 2 s at worst, see ForkListener::stop).
constexpr std::chrono::milliseconds kStartWait{10'000};
constexpr std::chrono::milliseconds kStopWait{5'000};

class ForkDriver final : public Driver {
 public:
  ForkDriver(DriverSettings settings, net::Fd listening, Master& master)
      : settings_(std::move(settings)),
        listening_(listening),
        master_(master),
        state_(std::make_shared<Master::Listener>()) {
    state_->on_drained = settings_.on_drained;
    state_->log = settings_.log;
    id_ = master_.add(state_);
  }

  // The master ends the listener's processes (SIGTERM, then SIGKILL) and
  // acknowledges once they are reaped.
  ~ForkDriver() override {
    if (started_) call(Op::stop, kStopWait);
    master_.remove(id_);
  }

  void start() override {
    ControlMessage message;
    message.op = Op::start;
    message.listener = id_;
    message.settings = settings_.listener;
    message.limits = settings_.limits;
    message.value = settings_.metrics.index();  // the master maps the same arena
    message.log_level = settings_.log ? settings_.log->level() : spdlog::level::info;
    const std::string error = master_.request(std::move(message), listening_, kStartWait);
    if (!error.empty())
      throw std::runtime_error(fmt::format("the fork master cannot start listener {}: {}",
                                           settings_.listener.name, error));
    started_ = true;
  }

  // Synchronous: the master has stopped watching and closed its copy of the
  // listening socket when this returns.
  void stop_accepting(CloseReason why) override {
    if (!started_) return;
    state_->draining = true;
    call(Op::stop_accepting, kStopWait, why);
  }

  // The master loads the listener's TLS section itself: its connection
  // processes are forked from there.
  void tls_renewed(const config::Listener& listener) override {
    if (!started_) return;
    ControlMessage message;
    message.op = Op::renew_tls;
    message.listener = id_;
    message.settings = listener;
    message.limits = settings_.limits;
    const std::string error = master_.request(std::move(message), {}, kStartWait);
    if (!error.empty()) throw std::runtime_error(error);
  }

  // As last reported by the master.
  std::size_t connections() const noexcept override { return state_->connections.load(); }

  // The master's loop serves every fork listener.
  std::vector<event::Heartbeat*> heartbeats() override { return {&master_.heartbeat()}; }

 private:
  // A request that cannot fail the caller: errors are logged.
  void call(Op op, std::chrono::milliseconds timeout,
            CloseReason why = CloseReason::shutdown) noexcept {
    try {
      ControlMessage message;
      message.op = op;
      message.listener = id_;
      message.reason = why;
      const std::string error = master_.request(std::move(message), {}, timeout);
      if (!error.empty() && settings_.log) settings_.log->error("fork master: {}", error);
    } catch (const std::exception& e) {
      if (settings_.log) settings_.log->error("fork master: {}", e.what());
    }
  }

  const DriverSettings settings_;
  const net::Fd listening_;
  Master& master_;
  std::shared_ptr<Master::Listener> state_;
  std::uint64_t id_ = 0;
  bool started_ = false;
};

}  // namespace

std::unique_ptr<Driver> make_fork_driver(DriverSettings settings, net::Fd listening,
                                         Master& master) {
  if (!master.running())
    throw std::runtime_error("the fork master is not running (it exited or was never started)");
  return std::make_unique<ForkDriver>(std::move(settings), listening, master);
}

}  // namespace netcook::model::fork
