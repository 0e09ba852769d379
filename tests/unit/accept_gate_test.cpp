// model::AcceptGate on a real listening socket on 127.0.0.1, with a host
// that records what the gate lets through: max_connections and the refusal
// bytes, the descriptor ceiling, a host that cannot serve, a failure to
// provision, a broken listening socket, each logged once per burst, and the
// pause that doubles while failures go on.

#include "model/accept_gate.hpp"

#include "net/socket.hpp"

#include <cerrno>
#include <climits>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/socket.h>

namespace netcook::model {
namespace {

using namespace std::chrono_literals;
using Next = AcceptGate::Next;
using Clock = AcceptGate::Clock;

class Host final : public AcceptGate::Host {
 public:
  int provision() noexcept override { return provision_error; }
  void admit(Admission& admission) override {
    if (fail) throw std::runtime_error("no room");
    admitted.push_back(std::move(admission));
  }

  int provision_error = 0;
  bool fail = false;
  std::vector<Admission> admitted;
};

class AcceptGateTest : public testing::Test {
 protected:
  AcceptGateTest()
      : listening_(net::listen_on(net::Address{net::Address::Kind::inet4, "127.0.0.1", 0})) {
    log_->set_pattern("%l: %v");
  }

  // A client connected to the listening socket (waiting in its backlog).
  net::UniqueFd connect() {
    net::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    socklen_t length = sizeof address;
    ::getsockname(listening_.get(), reinterpret_cast<sockaddr*>(&address), &length);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0)
      throw std::runtime_error("connect failed");
    return fd;
  }

  static std::string received(const net::UniqueFd& client) {
    char buffer[64] = {};
    const ssize_t got = ::recv(client.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    return got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : std::string();
  }

  std::size_t logged(std::string_view text) const {
    std::size_t count = 0;
    const std::string all = text_.str();
    for (auto at = all.find(text); at != std::string::npos; at = all.find(text, at + 1)) ++count;
    return count;
  }

  // The gate under test, for `max_connections` and a descriptor ceiling.
  AcceptGate& gate(std::size_t max_connections = 100, int fd_ceiling = INT_MAX) {
    count_.emplace(max_connections, std::function<void()>());
    gate_.emplace(*log_, *count_, refusal_, metrics::ListenerMetrics(), fd_ceiling);
    return *gate_;
  }
  Next accept(Clock::time_point now) { return gate_->accept_some(listening_.borrow(), host_, now); }

  net::UniqueFd listening_;
  Host host_;
  std::optional<ConnectionCount> count_;
  std::optional<AcceptGate> gate_;
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> log_ = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_st>(text_));
  const std::string refusal_ = "full\n";
  const Clock::time_point t0_ = Clock::now();
};

TEST_F(AcceptGateTest, LetsThroughUpToMaxConnectionsThenRefuses) {
  gate(2);
  std::vector<net::UniqueFd> clients;
  for (int i = 0; i < 4; ++i) clients.push_back(connect());
  EXPECT_EQ(accept(t0_), Next::wait);
  EXPECT_EQ(host_.admitted.size(), 2u);
  EXPECT_EQ(count_->open(), 2u);
  EXPECT_EQ(received(clients[2]), "full\n");
  EXPECT_EQ(received(clients[3]), "full\n");
  EXPECT_EQ(logged("max_connections reached; refusing connections: 127.0.0.1:"), 1u);
  EXPECT_EQ(logged("max_connections reached"), 1u);  // once per burst
  host_.admitted.clear();                            // their slots are given back
  EXPECT_EQ(count_->open(), 0u);
}

TEST_F(AcceptGateTest, RefusesDescriptorsAtOrAboveTheCeiling) {
  gate(100, 3);  // every descriptor is above
  const auto client = connect();
  EXPECT_EQ(accept(t0_), Next::wait);
  EXPECT_TRUE(host_.admitted.empty());
  EXPECT_EQ(received(client), "full\n");
  EXPECT_EQ(logged("at or above FD_SETSIZE (3)"), 1u);
}

TEST_F(AcceptGateTest, AHostThatCannotServeRefusesAndPauses) {
  gate();
  host_.fail = true;
  const auto client = connect();
  EXPECT_EQ(accept(t0_), Next::pause);
  EXPECT_EQ(gate_->resume_at(), t0_ + 50ms);
  EXPECT_EQ(received(client), "full\n");
  EXPECT_EQ(count_->open(), 0u);
  EXPECT_EQ(logged("cannot serve a new connection: no room"), 1u);
}

// Out of descriptors before a connection is taken: it stays in the backlog,
// and the pause doubles while the shortage lasts, up to a second.
TEST_F(AcceptGateTest, AShortagePausesLongerEachTimeUpToASecond) {
  gate();
  host_.provision_error = EMFILE;
  const auto client = connect();
  std::vector<Clock::duration> pauses;
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(accept(t0_), Next::pause);
    pauses.push_back(gate_->resume_at() - t0_);
  }
  EXPECT_EQ(pauses.front(), 50ms);
  EXPECT_EQ(pauses[1], 100ms);
  EXPECT_EQ(pauses.back(), 1s);
  EXPECT_EQ(logged("accept failed: Too many open files"), 1u);
  host_.provision_error = 0;  // over: the connection was waiting all along
  EXPECT_EQ(accept(t0_ + 2s), Next::wait);
  EXPECT_EQ(host_.admitted.size(), 1u);
}

// A listening socket shut down under us fails every accept with EINVAL:
// the gate pauses (never a spin) and says so once.
TEST_F(AcceptGateTest, ABrokenListeningSocketPausesAndIsLoggedOnce) {
  gate();
  ASSERT_EQ(::shutdown(listening_.get(), SHUT_RDWR), 0);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(accept(t0_ + i * 1s), Next::pause);
  EXPECT_EQ(logged("accept failed: Invalid argument"), 1u);
}

TEST_F(AcceptGateTest, ABatchLeavesTheRestForTheNextTurn) {
  gate(1000);
  std::vector<net::UniqueFd> clients;
  for (int i = 0; i < 70; ++i) clients.push_back(connect());
  EXPECT_EQ(accept(t0_), Next::again);
  EXPECT_EQ(host_.admitted.size(), 64u);
  EXPECT_EQ(accept(t0_), Next::wait);
  EXPECT_EQ(host_.admitted.size(), 70u);
}

}  // namespace
}  // namespace netcook::model
