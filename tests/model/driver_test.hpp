#pragma once

// The driver contract test fixture. The TEST_Ps are in driver_test.cpp;
// each model instantiates them in its own instantiate_<model>.cpp.

#include "client.hpp"
#include "model/driver.hpp"
#include "net/socket.hpp"
#include "test_protocols.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

namespace netcook::test {

using MakeDriver = std::function<std::unique_ptr<model::Driver>(
    model::DriverSettings, int listen_fd, proto::Protocol)>;

struct ModelCase {
  std::string name;  // test name suffix, e.g. "epoll_w2"
  MakeDriver make;
  unsigned workers = 1;
};

inline std::string case_name(const testing::TestParamInfo<ModelCase>& info) {
  return info.param.name;
}

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
    socket_ = net::listen_on(net::Address{net::Address::Kind::inet4, "127.0.0.1", 0});
    const std::string bound = net::local_address(socket_.get());
    port_ = static_cast<std::uint16_t>(std::stoi(bound.substr(bound.rfind(':') + 1)));
    model::DriverSettings settings;
    settings.listener = "test";
    settings.workers = GetParam().workers;
    settings.limits = limits;
    settings.log = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::null_sink_mt>());
    settings.on_drained = [this] { drained_.set(); };
    driver_ = GetParam().make(std::move(settings), socket_.get(), std::move(protocol));
    driver_->start();
  }

  void TearDown() override { driver_.reset(); }

  net::UniqueFd socket_;
  std::uint16_t port_ = 0;
  DrainFlag drained_;
  std::unique_ptr<model::Driver> driver_;
};

}  // namespace netcook::test
