// What only the select model has to get right: select(2) cannot watch a
// descriptor at or above FD_SETSIZE, so the driver must refuse such
// connections without ever handing them to FD_SET (which aborts the process
// in a _FORTIFY_SOURCE build), and must cope with its own listening socket
// or wake-up descriptor landing there. Also: accept back-off without
// spinning, and the thread's name.

#include "driver_test.hpp"
#include "model/select/driver.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spdlog/sinks/base_sink.h>
#include <sys/resource.h>
#include <sys/select.h>

namespace netcook::test {
namespace {

using namespace std::chrono_literals;

// Keeps every log line so a test can count them.
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::size_t count(std::string_view text) {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(
        lines_.begin(), lines_.end(),
        [text](const std::string& line) { return line.find(text) != std::string::npos; }));
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    lines_.emplace_back(message.payload.data(), message.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

// Holds descriptors open so that the next ones a process gets are high.
class FdFiller {
 public:
  // Takes every free descriptor below `limit`.
  void fill_below(int limit) {
    net::UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(devnull.valid());
    while (true) {
      net::UniqueFd fd(::fcntl(devnull.get(), F_DUPFD_CLOEXEC, 0));
      if (!fd || fd.get() >= limit) break;  // out of descriptors, or filled
      held_.push_back(std::move(fd));
    }
    held_.push_back(std::move(devnull));
  }
  void release_one() { held_.pop_back(); }

 private:
  std::vector<net::UniqueFd> held_;
};

// The highest descriptor open in this process.
int highest_open_fd() {
  int highest = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    highest = std::max(highest, std::stoi(entry.path().filename().string()));
  return highest;
}

std::chrono::microseconds cpu_time() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto micros = [](const timeval& tv) {
    return std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
  };
  return micros(usage.ru_utime) + micros(usage.ru_stime);
}

class SelectTest : public testing::TestWithParam<ModelCase> {
 protected:
  // A listening socket on 127.0.0.1, moved to descriptor `at_least` or
  // above when that is given.
  void listen(int at_least = 0) {
    socket_ = net::listen_on(net::Address{net::Address::Kind::inet4, "127.0.0.1", 0});
    const std::string bound = net::local_address(socket_.borrow());
    port_ = static_cast<std::uint16_t>(std::stoi(bound.substr(bound.rfind(':') + 1)));
    if (at_least > 0) socket_.reset(::fcntl(socket_.get(), F_DUPFD_CLOEXEC, at_least));
    ASSERT_GE(socket_.get(), at_least);
  }

  std::unique_ptr<model::Driver> make(proto::Protocol protocol, config::Limits limits = {}) {
    model::DriverSettings settings;
    settings.listener.name = "test";
    settings.limits = limits;
    settings.log = std::make_shared<spdlog::logger>("test", sink_);
    return GetParam().make(std::move(settings), socket_.borrow(), std::move(protocol));
  }

  // Needs room for fds well above FD_SETSIZE.
  static bool enough_fds(unsigned long wanted) { return net::raise_fd_limit() >= wanted; }

  void TearDown() override { driver_.reset(); }

  std::shared_ptr<CaptureSink> sink_ = std::make_shared<CaptureSink>();
  net::UniqueFd socket_;
  std::uint16_t port_ = 0;
  std::unique_ptr<model::Driver> driver_;
};

// Clients and server share this process's descriptors, so the server's
// passes FD_SETSIZE after roughly 500 clients: those before work, every
// later one is closed by the server, and the process lives on.
TEST_P(SelectTest, ConnectionsBeyondFdSetsizeAreRefused) {
  if (!enough_fds(4000)) GTEST_SKIP() << "RLIMIT_NOFILE hard limit below 4000";
  listen();
  config::Limits limits;
  limits.max_connections = 100'000;  // the ceiling, not the count, must refuse
  driver_ = make(echo_protocol(), limits);
  driver_->start();

  constexpr std::size_t kClients = 1200;
  std::vector<Client> clients;
  std::size_t working = 0;
  for (std::size_t i = 0; i < kClients; ++i) {
    clients.push_back(Client::connect(port_));
    const std::string message = "client " + std::to_string(i);
    if (clients.back().exchange(message) == message) {
      ASSERT_EQ(working, i) << "client " << i << " works after a refused one";
      ++working;
    } else {
      ASSERT_EQ(clients.back().wait_closed(), IoStatus::closed) << "client " << i;
    }
  }
  RecordProperty("working", static_cast<int>(working));
  EXPECT_GE(working, 100u);
  EXPECT_LT(working, static_cast<std::size_t>(FD_SETSIZE));
  EXPECT_EQ(driver_->connections(), working);
  // One warning for the whole burst of refusals, one for the ceiling at start().
  EXPECT_EQ(sink_->count("at or above FD_SETSIZE"), 1u);
  EXPECT_EQ(sink_->count("max_connections is 100000"), 1u);

  // The earliest, the last that fitted, and a sample in between still work.
  std::vector<std::size_t> sample{0, working - 1};
  for (std::size_t i = 7; i < working; i += 97) sample.push_back(i);
  for (const std::size_t i : sample)
    EXPECT_EQ(clients[i].exchange("again " + std::to_string(i)), "again " + std::to_string(i));
}

// A listening socket at or above FD_SETSIZE is duplicated below it; the
// duplicate is closed by stop_accepting(model::CloseReason::shutdown), so the caller can really close
// the socket afterwards.
TEST_P(SelectTest, ListeningSocketAboveFdSetsizeIsMovedBelow) {
  if (!enough_fds(2000)) GTEST_SKIP() << "RLIMIT_NOFILE hard limit below 2000";
  listen(1500);
  driver_ = make(echo_protocol());
  driver_->start();
  auto client = Client::connect(port_);
  EXPECT_EQ(client.exchange("high"), "high");
  driver_->stop_accepting(model::CloseReason::shutdown);
  socket_.reset();
  EXPECT_EQ(Client::try_connect(port_).error, ECONNREFUSED);
  EXPECT_EQ(client.exchange("still"), "still");
}

// With no descriptor free below FD_SETSIZE, the driver cannot be made (the
// wake-up eventfd would land above it), nor started (the listening socket
// cannot be moved below it): both say so.
TEST_P(SelectTest, NoDescriptorBelowFdSetsizeFailsClearly) {
  if (!enough_fds(2000)) GTEST_SKIP() << "RLIMIT_NOFILE hard limit below 2000";
  listen(1500);
  auto made_early = make(echo_protocol());
  {
    FdFiller filler;
    filler.fill_below(FD_SETSIZE);
    try {
      make(echo_protocol());
      ADD_FAILURE() << "made a select driver without a descriptor below FD_SETSIZE";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("FD_SETSIZE"), std::string::npos) << e.what();
    }
    try {
      made_early->start();
      ADD_FAILURE() << "started with a listening socket select(2) cannot watch";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("FD_SETSIZE"), std::string::npos) << e.what();
    }
  }
  made_early.reset();
}

// Out of descriptors, accept() fails with EMFILE while the listening socket
// stays readable: the loop must back off (not spin), log once, and accept
// the waiting client once descriptors are free again.
TEST_P(SelectTest, AcceptBacksOffWhenOutOfDescriptors) {
  listen();
  driver_ = make(echo_protocol());
  driver_->start();
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(highest_open_fd() + 32);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  std::optional<Client> client;
  std::chrono::microseconds cpu_used{};
  {
    FdFiller filler;
    filler.fill_below(FD_SETSIZE);
    filler.release_one();  // room for the client, none for the server
    client = Client::connect(port_);
    const auto cpu_before = cpu_time();
    std::this_thread::sleep_for(600ms);
    cpu_used = cpu_time() - cpu_before;
  }
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_LT(cpu_used, 250ms) << "the loop spins while accept() fails";
  EXPECT_EQ(sink_->count("accept failed: Too many open files (further"), 1u);
  EXPECT_EQ(client->exchange("back"), "back");
}

TEST_P(SelectTest, RunsOnOneNamedThread) {
  listen();
  driver_ = make(echo_protocol());
  driver_->start();
  auto client = Client::connect(port_);
  ASSERT_EQ(client.exchange("named"), "named");  // the loop has begun
  std::vector<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    names.push_back(name);
  }
  EXPECT_EQ(std::count(names.begin(), names.end(), "test/w0"), 1) << testing::PrintToString(names);
}

// Proves that this build aborts on FD_SET beyond FD_SETSIZE, so that
// ConnectionsBeyondFdSetsizeAreRefused passing shows the driver never does.
TEST_P(SelectTest, FortifiedFdSetAbortsBeyondFdSetsize) {
#if defined(_FORTIFY_SOURCE) && _FORTIFY_SOURCE > 0 && defined(__OPTIMIZE__)
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        fd_set set;
        FD_ZERO(&set);
        volatile int fd = FD_SETSIZE + 8;
        FD_SET(fd, &set);
      },
      "FD_SETSIZE|buffer overflow");  // glibc 2.36 / older
#else
  GTEST_SKIP() << "built without _FORTIFY_SOURCE; configure with "
                  "-Dcpp_args=-D_FORTIFY_SOURCE=2 to prove FD_SET is never misused";
#endif
}

INSTANTIATE_TEST_SUITE_P(Select, SelectTest,
                         testing::Values(ModelCase{"select",
                                                   model::select_model::make_select_driver, 1}),
                         case_name);

}  // namespace
}  // namespace netcook::test
