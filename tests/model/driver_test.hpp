#pragma once

// The driver contract test fixture. The TEST_Ps are in driver_test.cpp;
// each model instantiates them in its own instantiate_<model>.cpp.

#include "client.hpp"
#include "log_capture.hpp"
#include "model/driver.hpp"
#include "model/fork/master.hpp"
#include "net/socket.hpp"
#include "proto/echo.hpp"
#include "test_protocols.hpp"
#include "wake_protocol.hpp"

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace netcook::test {

using MakeDriver = std::function<std::unique_ptr<model::Driver>(
    model::DriverSettings, net::Fd listening, proto::Protocol)>;

struct ModelCase {
  std::string name;  // test name suffix, e.g. "epoll_w2"
  MakeDriver make;
  unsigned workers = 1;
};

// The test protocols by name, for a model that makes the protocol from the
// listener's settings in another process (fork), where the fixture puts
// the name in DriverSettings::listener.name: "echo", "room", "throw",
// "wake" (wake_protocol.hpp), "paced:<count>/<burst>" (the room, <count> lines a second per member,
// <burst> at once), "line:<max_line>", "prefix:<text>" (line echo with that prefix, which may
// hold {pid} and the other placeholders), "file:<path>", "timeout",
// "timeout:throw" and "quit". Throws for any other spec.
inline proto::Protocol test_protocol(const std::string& spec) {
  if (spec == "echo") return echo_protocol();
  if (spec == "room") return room_protocol();
  if (spec == "wake") return wake_protocol();
  if (spec == "throw") return throwing_protocol();
  if (spec == "timeout") return timeout_protocol(false);
  if (spec == "timeout:throw") return timeout_protocol(true);
  if (spec == "quit") return quitting_protocol();
  if (spec.rfind("file:", 0) == 0) return file_protocol(spec.substr(5));
  if (spec.rfind("paced:", 0) == 0) {
    const auto slash = spec.find('/');
    return room_protocol({static_cast<std::uint32_t>(std::stoul(spec.substr(6, slash - 6))),
                          std::chrono::seconds(1),
                          static_cast<std::uint32_t>(std::stoul(spec.substr(slash + 1)))});
  }
  if (spec.rfind("line:", 0) == 0) return line_echo_protocol(std::stoul(spec.substr(5)));
  // The protocol `rest` names, with a refusal for each reason the accept
  // gate may refuse for: "full\n", "source\n", "rate\n".
  if (spec.rfind("guarded:", 0) == 0) {
    proto::Protocol protocol = test_protocol(spec.substr(8));
    protocol.refusal = "full\n";
    protocol.source_refusal = "source\n";
    protocol.rate_refusal = "rate\n";
    return protocol;
  }
  if (spec.rfind("prefix:", 0) == 0) {
    proto::Protocol protocol;
    protocol.make_session = [prefix = spec.substr(7)](const proto::SessionContext& context) {
      return proto::make_echo_session({true, prefix, 1024}, context);
    };
    return protocol;
  }
  throw std::invalid_argument("unknown test protocol spec: " + spec);
}

inline std::string case_name(const testing::TestParamInfo<ModelCase>& info) {
  return info.param.name;
}

// The fork master of this test process (instantiate_fork.cpp), started
// while the process was single-threaded.
model::fork::Master& fork_master();
// The metrics of this test process, mapped before the fork master was
// forked, so that its connection processes count into it too.
metrics::Arena& test_arena();
// A fork driver on that master (the protocol is made there, by name).
std::unique_ptr<model::Driver> make_fork(model::DriverSettings settings, net::Fd listening,
                                         proto::Protocol protocol);

// Signals the test thread when the driver reports it has drained.
class DrainFlag {
 public:
  void set() {
    std::lock_guard lock(mutex_);
    set_ = true;
    cv_.notify_all();
  }
  bool wait(Timeout timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [this] { return set_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool set_ = false;
};

class DriverTest : public testing::TestWithParam<ModelCase> {
 protected:
  void start(proto::Protocol protocol, config::Limits limits = {}) {
    start(std::move(protocol), limits, std::string());
  }

  // The protocol test_protocol(spec) makes; the spec goes to the driver
  // too, as the listener's name.
  void start(const std::string& spec, config::Limits limits = {}) {
    start(test_protocol(spec), limits, spec);
  }

  void start(proto::Protocol protocol, config::Limits limits, std::string spec) {
    // As the daemon does (main.cpp): sendfile(2) cannot be told MSG_NOSIGNAL.
    std::signal(SIGPIPE, SIG_IGN);
    socket_ = net::listen_on(net::Address{net::Address::Kind::inet4, "127.0.0.1", 0});
    const std::string bound = net::local_address(socket_.borrow());
    port_ = static_cast<std::uint16_t>(std::stoi(bound.substr(bound.rfind(':') + 1)));
    model::DriverSettings settings;
    settings.listener.name = spec.empty() ? "test" : spec;
    settings.listener.workers = GetParam().workers;
    settings.limits = limits;
    settings.log = log_.logger("test");
    settings.on_drained = [this] { drained_.set(); };
    metrics_ = test_arena().take(settings.listener.name, "test", GetParam().name, bound);
    settings.metrics = metrics_;
    driver_ = GetParam().make(std::move(settings), socket_.borrow(), std::move(protocol));
    driver_->start();
  }

  void TearDown() override {
    driver_.reset();
    test_arena().give_back(metrics_);
  }

  // The listener's figures now.
  metrics::ListenerFigures figures() const {
    for (auto& listener : test_arena().figures().listeners)
      if (listener.model == GetParam().name) return listener;
    return {};
  }
  // Waits, boundedly, until the listener's figures satisfy `done` (the
  // core counts a connection's end after its socket closed, so a client
  // sees the end first); the figures then.
  template <typename Done>
  metrics::ListenerFigures figures_once(Done done, Timeout timeout = kWait) const {
    const auto until = std::chrono::steady_clock::now() + timeout;
    metrics::ListenerFigures now = figures();
    while (!done(now) && std::chrono::steady_clock::now() < until) {
      // A poll interval, not a synchronisation: the condition decides.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      now = figures();
    }
    return now;
  }

  // Waits for a line that holds `text` (the driver logs a connection's end
  // after its socket has closed, so a client sees it first).
  bool logged(std::string_view text, Timeout timeout = kWait) const {
    return log_.wait_for(text, timeout);
  }
  // Waits for a line that says a connection ended for `reason`.
  ::testing::AssertionResult closed_with(std::string_view reason) const {
    const std::string wanted = "closed: " + std::string(reason) + " after";
    if (log_.wait_for(wanted)) return ::testing::AssertionSuccess();
    ::testing::AssertionResult failure = ::testing::AssertionFailure();
    failure << "no connection closed with " << reason << "; the log:";
    for (const auto& line : log_.lines()) failure << "\n  " << line;
    return failure;
  }

  // The driver goes with a connection open: its session's last words name
  // the reason the driver was stopped with (shutdown when it was not), and
  // it closes with it.
  void expect_closed_by_teardown(std::optional<model::CloseReason> stopped,
                                 std::string_view reason) {
    start("timeout");
    auto client = Client::connect(port_);
    EXPECT_EQ(client.exchange("a\n"), "a\n");
    if (stopped) driver_->stop_accepting(*stopped);
    driver_.reset();
    EXPECT_EQ(client.read_line(), "bye " + std::string(reason) + "\n");
    EXPECT_EQ(client.wait_closed(), IoStatus::closed);
    EXPECT_TRUE(closed_with(reason));
  }

  LogCapture log_;
  net::UniqueFd socket_;
  std::uint16_t port_ = 0;
  DrainFlag drained_;
  metrics::ListenerMetrics metrics_;
  std::unique_ptr<model::Driver> driver_;
};

}  // namespace netcook::test
