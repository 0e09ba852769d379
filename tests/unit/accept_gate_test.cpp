// model::AcceptGate on a real listening socket on 127.0.0.1, with a host
// that records what the gate lets through: max_connections and the refusal
// bytes, the descriptor ceiling, a host that cannot serve, a failure to
// provision, a broken listening socket, each logged once per burst, and the
// pause that doubles while failures go on.

#include "model/accept_gate.hpp"

#include "net/cidr.hpp"
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

  // A client connected to the listening socket (waiting in its backlog),
  // from the loopback address `from`.
  net::UniqueFd connect(const char* from = "127.0.0.1") {
    net::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in source{};
    source.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &source.sin_addr);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&source), sizeof source) != 0)
      throw std::runtime_error("bind failed");
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
  AcceptGate& gate(std::size_t max_connections = 100, int fd_ceiling = INT_MAX,
                   config::Guards guards = {}) {
    gate_.reset();
    count_.emplace(max_connections, std::function<void()>());
    sources_.emplace(std::move(guards));
    gate_.emplace(*log_, *count_, *sources_, protocol_, metrics::ListenerMetrics(), fd_ceiling);
    return *gate_;
  }
  AcceptGate& gate(config::Guards guards, std::size_t max_connections = 100) {
    return gate(max_connections, INT_MAX, std::move(guards));
  }
  Next accept(Clock::time_point now) { return gate_->accept_some(listening_.borrow(), host_, now); }

  net::UniqueFd listening_;
  Host host_;
  std::optional<ConnectionCount> count_;
  std::optional<SourceGuard> sources_;
  std::optional<AcceptGate> gate_;
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> log_ = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_st>(text_));
  const proto::Protocol protocol_ = [] {
    proto::Protocol protocol;
    protocol.refusal = "full\n";
    protocol.source_refusal = "source\n";
    protocol.rate_refusal = "rate\n";
    return protocol;
  }();
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

// ---- the rules by source address ----------------------------------------

net::Cidr cidr(const char* text) {
  return *net::parse_cidr(text).cidr;
}

// The gate closed it: end of file, and not a byte before it.
bool closed_without_a_byte(const net::UniqueFd& client) {
  char byte = 0;
  return ::recv(client.get(), &byte, 1, 0) == 0;
}

TEST_F(AcceptGateTest, ADeniedAddressIsClosedWithoutAByteAndLoggedOncePerBurst) {
  config::Guards guards;
  guards.deny = {cidr("127.0.0.2")};
  gate(guards);
  const auto denied_a = connect("127.0.0.2");
  const auto denied_b = connect("127.0.0.2");
  const auto other = connect("127.0.0.3");
  EXPECT_EQ(accept(t0_), Next::wait);
  ASSERT_EQ(host_.admitted.size(), 1u);
  EXPECT_TRUE(closed_without_a_byte(denied_a));
  EXPECT_TRUE(closed_without_a_byte(denied_b));
  EXPECT_EQ(logged("denied by allow/deny; refusing connections: 127.0.0.2:"), 1u);
  EXPECT_EQ(logged("denied by allow/deny"), 1u);
  host_.admitted.clear();
}

TEST_F(AcceptGateTest, AnAllowListLetsInOnlyItsNetworks) {
  config::Guards guards;
  guards.allow = {cidr("127.0.0.2/32"), cidr("::1")};
  gate(guards);
  const auto allowed = connect("127.0.0.2");
  const auto other = connect("127.0.0.3");
  EXPECT_EQ(accept(t0_), Next::wait);
  EXPECT_EQ(host_.admitted.size(), 1u);
  EXPECT_TRUE(closed_without_a_byte(other));
  host_.admitted.clear();
}

TEST_F(AcceptGateTest, OneSourceAtItsLimitWhileAnotherIsStillServed) {
  config::Guards guards;
  guards.max_connections_per_source = 2;
  gate(guards);
  std::vector<net::UniqueFd> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(connect("127.0.0.2"));
  clients.push_back(connect("127.0.0.3"));
  EXPECT_EQ(accept(t0_), Next::wait);
  EXPECT_EQ(host_.admitted.size(), 3u);
  EXPECT_EQ(received(clients[2]), "source\n");
  EXPECT_EQ(sources_->open_from(*net::parse_ip("127.0.0.2")), 2u);
  EXPECT_EQ(logged("max_connections_per_source (2) reached; refusing connections: 127.0.0.2:"),
            1u);
  // A connection that ends gives its source's place back.
  host_.admitted.erase(host_.admitted.begin());
  EXPECT_EQ(sources_->open_from(*net::parse_ip("127.0.0.2")), 1u);
  const auto again = connect("127.0.0.2");
  EXPECT_EQ(accept(t0_), Next::wait);
  EXPECT_EQ(host_.admitted.size(), 3u);
  host_.admitted.clear();
  EXPECT_EQ(sources_->open_from(*net::parse_ip("127.0.0.2")), 0u);
}

TEST_F(AcceptGateTest, ASourceOverItsRateIsRefusedWhileAnotherIsNot) {
  config::Guards guards;
  guards.connection_rate = {{2, 1s}, 3};
  gate(guards);
  std::vector<net::UniqueFd> clients;
  for (int i = 0; i < 4; ++i) clients.push_back(connect("127.0.0.2"));
  clients.push_back(connect("127.0.0.3"));
  EXPECT_EQ(accept(t0_), Next::wait);
  EXPECT_EQ(host_.admitted.size(), 4u);  // the burst of 3, and 127.0.0.3
  EXPECT_EQ(received(clients[3]), "rate\n");
  EXPECT_EQ(logged("connection_rate (2/s, burst 3) spent; refusing connections: 127.0.0.2:"),
            1u);
  // Half a second later one token is back (2/s), not two.
  clients.push_back(connect("127.0.0.2"));
  clients.push_back(connect("127.0.0.2"));
  EXPECT_EQ(accept(t0_ + 500ms), Next::wait);
  EXPECT_EQ(host_.admitted.size(), 5u);
  EXPECT_EQ(received(clients[6]), "rate\n");
  host_.admitted.clear();
}

// deny and allow, then the source's limit, then its rate, then
// max_connections: each refusal is the first rule's that refuses, and a
// refusal spends nothing of the rules after it.
TEST_F(AcceptGateTest, RulesApplyInTheirOrder) {
  config::Guards guards;
  guards.deny = {cidr("127.0.0.4")};
  guards.max_connections_per_source = 1;
  guards.connection_rate = {{1, 1h}, 2};
  gate(guards, 2);
  std::vector<net::UniqueFd> clients;
  clients.push_back(connect("127.0.0.2"));  // admitted: one token of 2 left
  clients.push_back(connect("127.0.0.2"));  // its source's limit, before its rate
  clients.push_back(connect("127.0.0.3"));  // admitted: max_connections reached
  clients.push_back(connect("127.0.0.4"));  // denied, before max_connections
  clients.push_back(connect("127.0.0.5"));  // full
  EXPECT_EQ(accept(t0_), Next::wait);
  EXPECT_EQ(host_.admitted.size(), 2u);
  EXPECT_EQ(received(clients[1]), "source\n");
  EXPECT_TRUE(closed_without_a_byte(clients[3]));
  EXPECT_EQ(received(clients[4]), "full\n");
  // The per-source refusal spent no token: 127.0.0.2 has one left.
  host_.admitted.clear();
  clients.push_back(connect("127.0.0.2"));
  clients.push_back(connect("127.0.0.6"));
  EXPECT_EQ(accept(t0_), Next::wait);
  EXPECT_EQ(host_.admitted.size(), 2u);
  host_.admitted.clear();
  clients.push_back(connect("127.0.0.2"));
  EXPECT_EQ(accept(t0_), Next::wait);
  EXPECT_EQ(received(clients.back()), "rate\n");
  host_.admitted.clear();
}

// A peer in proxy_protocol.from is vetted once its header names the real
// peer (by its connection core): the gate lets it through.
TEST_F(AcceptGateTest, APeerThatSendsAProxyHeaderIsLetThroughUnvetted) {
  config::Guards guards;
  guards.deny = {cidr("127.0.0.0/8")};
  guards.proxy_from = {cidr("127.0.0.2")};
  gate(guards);
  const auto balancer = connect("127.0.0.2");
  const auto other = connect("127.0.0.3");
  EXPECT_EQ(accept(t0_), Next::wait);
  EXPECT_EQ(host_.admitted.size(), 1u);
  EXPECT_TRUE(closed_without_a_byte(other));
  host_.admitted.clear();
}

}  // namespace
}  // namespace netcook::model
