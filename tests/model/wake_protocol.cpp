#include "wake_protocol.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace netcook::test {
namespace {

// The wake of the last room made in this process, called by the next one.
std::mutex g_left_behind_mutex;
std::function<void()> g_left_behind;  // guarded

// Sends "join", then every complete line, to the Service.
class WakeSession final : public proto::Session {
 public:
  explicit WakeSession(proto::Uplink* uplink) : uplink_(uplink) {}
  void open(proto::Outbox&) override { uplink_->send("join"); }
  void receive(std::string_view data, proto::Outbox&) override {
    input_.append(data);
    std::size_t start = 0;
    for (auto newline = input_.find('\n'); newline != std::string::npos;
         newline = input_.find('\n', start)) {
      uplink_->send(std::string_view(input_).substr(start, newline - start));
      start = newline + 1;
    }
    input_.erase(0, start);
  }
  bool partial() const noexcept override { return !input_.empty(); }

 private:
  proto::Uplink* uplink_;
  std::string input_;
};

// Published in place of the line that ends a storm; woken() writes the count.
constexpr std::string_view kStormed = "stormed\n";

class WakeRoom final : public proto::Service {
 public:
  explicit WakeRoom(std::function<void()> wake) : wake_(std::move(wake)) {
    thread_ = std::thread([this] { run(); });
  }
  ~WakeRoom() override {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    commanded_.notify_one();
    thread_.join();
  }

  // The driver's calls, one at a time: members_ needs no lock.
  void message(proto::ConnectionId from, std::string_view message,
               proto::Courier& courier) override {
    if (message == "join") {
      members_.insert(from);
      courier.deliver(from, "hello " + std::to_string(from) + "\n");
      return;
    }
    {
      std::lock_guard lock(mutex_);
      commands_.emplace_back(message);
    }
    commanded_.notify_one();
  }
  void gone(proto::ConnectionId who, proto::Courier&) override { members_.erase(who); }
  void woken(proto::Courier& courier) override {
    const auto calls = woken_calls_.fetch_add(1) + 1;
    std::vector<std::string> lines;
    {
      std::lock_guard lock(mutex_);
      lines.swap(published_);
    }
    for (auto& line : lines) {
      if (line == kStormed)
        line = "stormed " + std::to_string(calls - storm_base_.load()) + "\n";
      for (const auto member : members_) courier.deliver(member, line);
    }
  }

 private:
  void run() {
    std::function<void()> previous;
    {
      std::lock_guard lock(g_left_behind_mutex);
      previous = std::exchange(g_left_behind, wake_);
    }
    if (previous) previous();
    wake_();
    for (;;) {
      std::string command;
      {
        std::unique_lock lock(mutex_);
        commanded_.wait(lock, [this] { return quit_ || !commands_.empty(); });
        if (quit_) return;
        command = std::move(commands_.front());
        commands_.pop_front();
      }
      obey(command);
    }
  }

  void obey(const std::string& command) {
    if (command.rfind("news ", 0) == 0) {
      for (unsigned long n = std::stoul(command.substr(5)); n > 0; --n) publish(next_news());
    } else if (command.rfind("storm ", 0) == 0) {
      storm_base_ = woken_calls_.load();
      for (unsigned long n = std::stoul(command.substr(6)); n > 0; --n) wake_();
      publish(std::string(kStormed));
    } else if (command == "stream") {
      stream();
    }
  }

  // News until "halt" (or the room ends), at a pace the readers keep up with.
  void stream() {
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        if (quit_) return;
        if (!commands_.empty() && commands_.front() == "halt") {
          commands_.pop_front();
          break;
        }
      }
      publish(next_news());
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    publish("halted " + std::to_string(news_) + "\n");
  }

  std::string next_news() { return "news " + std::to_string(++news_) + "\n"; }

  void publish(std::string line) {
    {
      std::lock_guard lock(mutex_);
      published_.push_back(std::move(line));
    }
    wake_();
  }

  const std::function<void()> wake_;
  std::set<proto::ConnectionId> members_;  // the driver's calls only
  std::atomic<unsigned long> woken_calls_{0};
  std::atomic<unsigned long> storm_base_{0};
  unsigned long news_ = 0;  // the thread's

  std::mutex mutex_;
  std::condition_variable commanded_;
  std::deque<std::string> commands_;      // guarded
  std::vector<std::string> published_;    // guarded
  bool quit_ = false;                     // guarded
  std::thread thread_;                    // last: it uses the rest
};

}  // namespace

proto::Protocol wake_protocol(std::shared_ptr<WakeProbe> probe) {
  proto::Protocol protocol;
  protocol.make_session = [](const proto::SessionContext& context) {
    return std::make_unique<WakeSession>(context.uplink);
  };
  protocol.make_service = [probe](const proto::ServiceContext& context) {
    if (probe) probe->keep(context.wake);
    return std::make_unique<WakeRoom>(context.wake);
  };
  return protocol;
}

}  // namespace netcook::test
