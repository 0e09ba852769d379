// bus::RedisLink against a real redis-server (tests/lib/redis_server.hpp)
// on loopback: replies in order, null to pending callbacks when the link
// is lost, the back-off, a stopped server found out by the reply timeout,
// AUTH, SELECT, CLIENT SETNAME, a unix socket, a blocking command's own
// wait, and destruction with commands pending. The loop runs until a
// condition holds, bounded; nothing sleeps.

#include "bus/redis_link.hpp"

#include "event/loop.hpp"
#include "event/timer.hpp"
#include "redis_server.hpp"

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <sstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

namespace netcook::bus {
namespace {

using namespace std::chrono_literals;
using event::Clock;
using test::RedisServer;
using test::RedisServerOptions;

// hiredis 0.14 writes with write(2); netcookd ignores SIGPIPE, so do we.
const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

// Runs `loop` until `done()` holds (checked every few milliseconds) or
// `limit` passes; returns whether it held.
bool run_until(event::Loop& loop, const std::function<bool()>& done,
               Clock::duration limit = 10s) {
  if (done()) return true;
  bool held = false;
  const auto give_up = Clock::now() + limit;
  std::function<void()> check;
  event::Timer checker(loop, [&] { check(); });
  check = [&] {
    if (done()) {
      held = true;
      loop.stop();
    } else if (Clock::now() >= give_up) {
      loop.stop();
    } else {
      checker.arm_after(2ms);
    }
  };
  checker.arm_after(0ms);
  loop.run();
  return held;
}

config::BusEndpoint tcp_endpoint(const RedisServer& server, unsigned db = 0) {
  config::BusEndpoint endpoint;
  endpoint.kind = config::BusEndpoint::Kind::tcp;
  endpoint.host = "127.0.0.1";
  endpoint.port = server.port();
  endpoint.db = db;
  endpoint.url = "redis://127.0.0.1:" + std::to_string(server.port()) + "/" + std::to_string(db);
  return endpoint;
}

long long info_field(const RedisServer& server, const std::string& field) {
  const std::string info = server.command({"INFO"}).text;
  const auto at = info.find(field + ":");
  if (at == std::string::npos) return -1;
  return std::stoll(info.substr(at + field.size() + 1));
}

std::string text_of(const redisReply* reply) {
  if (reply == nullptr) return "<null>";
  switch (reply->type) {
    case REDIS_REPLY_INTEGER:
      return std::to_string(reply->integer);
    case REDIS_REPLY_NIL:
      return "<nil>";
    case REDIS_REPLY_ARRAY:
      return "<array " + std::to_string(reply->elements) + ">";
    default:
      return std::string(reply->str, reply->len);
  }
}

// A link and what it told: ups, downs (with why and when), replies.
class RedisLinkTest : public ::testing::Test {
 protected:
  RedisLinkTest()
      : log_("bus-test", std::make_shared<spdlog::sinks::ostream_sink_st>(log_text_)) {
    log_.set_level(spdlog::level::debug);
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "link log:\n" << log_text_.str();
  }

  void make_link(LinkSettings settings) {
    link_ = std::make_unique<RedisLink>(loop_, std::move(settings), log_);
    link_->on_up([this] { ++ups_; });
    link_->on_down([this](std::string_view why) {
      downs_.emplace_back(why);
      down_times_.push_back(Clock::now());
      EXPECT_FALSE(link_->up());
    });
    link_->start();
  }

  LinkSettings settings_for(const RedisServer& server) {
    LinkSettings settings;
    settings.endpoint = tcp_endpoint(server);
    settings.timeout = 2s;
    return settings;
  }

  bool wait_up(int ups = 1) {
    return run_until(loop_, [&] { return ups_ >= ups && link_->up(); });
  }
  bool wait_downs(std::size_t count, Clock::duration limit = 10s) {
    return run_until(loop_, [&] { return downs_.size() >= count; }, limit);
  }

  // Sends `argv`; the reply's text (or "<null>") lands in replies_.
  bool send(std::vector<std::string_view> argv, std::chrono::milliseconds extra = {}) {
    inside_command_ = true;
    const bool sent = link_->command(
        argv,
        [this](const redisReply* reply) {
          EXPECT_FALSE(inside_command_) << "a callback from inside command()";
          replies_.push_back(text_of(reply));
        },
        extra);
    inside_command_ = false;
    return sent;
  }
  bool wait_replies(std::size_t count) {
    return run_until(loop_, [&] { return replies_.size() >= count; });
  }

  std::ostringstream log_text_;
  spdlog::logger log_;
  event::Loop loop_;
  std::unique_ptr<RedisLink> link_;
  int ups_ = 0;
  std::vector<std::string> downs_;
  std::vector<Clock::time_point> down_times_;
  std::vector<std::string> replies_;
  bool inside_command_ = false;
};

TEST_F(RedisLinkTest, AnswersCommandsInOrder) {
  RedisServer server;
  make_link(settings_for(server));
  EXPECT_FALSE(link_->up());
  EXPECT_FALSE(send({"PING"})) << "sent while not up";
  ASSERT_TRUE(wait_up());
  EXPECT_EQ(ups_, 1);
  ASSERT_TRUE(send({"SET", "a", std::string_view("x\0y", 3)}));  // binary-safe
  ASSERT_TRUE(send({"GET", "a"}));
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(send({"INCR", "n"}));
  ASSERT_TRUE(send({"NOSUCHCOMMAND"}));
  EXPECT_FALSE(send({})) << "an empty command would never be answered";
  ASSERT_TRUE(wait_replies(53));
  EXPECT_EQ(replies_[0], "OK");
  EXPECT_EQ(replies_[1], std::string("x\0y", 3));
  for (int i = 0; i < 50; ++i) EXPECT_EQ(replies_[2 + i], std::to_string(i + 1));
  EXPECT_NE(replies_[52].find("unknown command"), std::string::npos) << replies_[52];
  EXPECT_TRUE(downs_.empty());
}

TEST_F(RedisLinkTest, PendingCallbacksGetNullWhenTheServerDies) {
  RedisServer server;
  make_link(settings_for(server));
  ASSERT_TRUE(wait_up());
  ASSERT_TRUE(send({"BLPOP", "nothing", "30"}, 30s));
  ASSERT_TRUE(send({"PING"}, 30s));  // queued behind the blocked one
  ASSERT_TRUE(run_until(loop_, [&] { return info_field(server, "blocked_clients") == 1; }));
  server.kill();
  ASSERT_TRUE(wait_replies(2));
  EXPECT_EQ(replies_, (std::vector<std::string>{"<null>", "<null>"}));
  ASSERT_EQ(downs_.size(), 1u);
  EXPECT_EQ(downs_[0], "closed by the server");
  EXPECT_FALSE(link_->up());
  EXPECT_FALSE(send({"PING"}));
}

TEST_F(RedisLinkTest, ComesBackAfterARestartWithTheBackoff) {
  RedisServer server;
  make_link(settings_for(server));
  ASSERT_TRUE(wait_up());
  server.kill();
  // Lost, then refused at 100, 200, 400 ms...
  ASSERT_TRUE(wait_downs(4));
  EXPECT_EQ(downs_[0], "closed by the server");
  for (std::size_t i = 1; i < downs_.size(); ++i) EXPECT_EQ(downs_[i], "connection refused");
  const auto gap = [&](std::size_t i) { return down_times_[i] - down_times_[i - 1]; };
  EXPECT_GE(gap(1), 100ms);
  EXPECT_GE(gap(2), 200ms);
  EXPECT_GE(gap(3), 400ms);
  EXPECT_LT(gap(3), 1500ms);
  EXPECT_EQ(ups_, 1);

  server.restart();
  ASSERT_TRUE(wait_up(2));
  ASSERT_TRUE(send({"PING"}));
  ASSERT_TRUE(wait_replies(1));
  EXPECT_EQ(replies_[0], "PONG");

  // Up again: the back-off starts over at 100 ms.
  const auto downs_before = downs_.size();
  server.kill();
  ASSERT_TRUE(wait_downs(downs_before + 2));
  EXPECT_LT(down_times_[downs_before + 1] - down_times_[downs_before], 400ms);
}

TEST_F(RedisLinkTest, BacksOffToTwoSecondsAtMost) {
  RedisServer server;
  auto settings = settings_for(server);
  server.stop();
  make_link(settings);
  // 0, 100, 200, 400, 800, 1600, 2000, 2000 ms: eight failures.
  ASSERT_TRUE(wait_downs(8, 15s));
  const auto gap = [&](std::size_t i) { return down_times_[i] - down_times_[i - 1]; };
  EXPECT_GE(gap(6), 2000ms);
  EXPECT_LT(gap(6), 3000ms);  // doubled, it would be 3200
  EXPECT_GE(gap(7), 2000ms);
  EXPECT_LT(gap(7), 3000ms);
  EXPECT_EQ(ups_, 0);
}

TEST_F(RedisLinkTest, AStoppedServerIsFoundOutByTheReplyTimeout) {
  RedisServer server;
  auto settings = settings_for(server);
  settings.timeout = 300ms;
  make_link(settings);
  ASSERT_TRUE(wait_up());
  server.pause();
  const auto sent_at = Clock::now();
  ASSERT_TRUE(send({"PING"}));
  ASSERT_TRUE(wait_replies(1));
  EXPECT_EQ(replies_[0], "<null>");
  ASSERT_GE(downs_.size(), 1u);
  EXPECT_EQ(downs_[0], "timed out");
  EXPECT_GE(down_times_[0] - sent_at, 300ms);
  EXPECT_LT(down_times_[0] - sent_at, 1500ms);
  // Still stopped: the kernel accepts the connection, the PING is not
  // answered, and the link does not count as up.
  ASSERT_TRUE(wait_downs(2));
  EXPECT_EQ(downs_[1], "timed out connecting");
  EXPECT_EQ(ups_, 1);

  server.resume();
  ASSERT_TRUE(wait_up(2));
  ASSERT_TRUE(send({"PING"}));
  ASSERT_TRUE(wait_replies(2));
  EXPECT_EQ(replies_[1], "PONG");
}

TEST_F(RedisLinkTest, AuthenticatesWithTheRightPassword) {
  RedisServer server(RedisServerOptions{.password = "right horse"});
  auto settings = settings_for(server);
  settings.password = "right horse";
  make_link(settings);
  ASSERT_TRUE(wait_up());
  ASSERT_TRUE(send({"SET", "k", "v"}));
  ASSERT_TRUE(wait_replies(1));
  EXPECT_EQ(replies_[0], "OK");
  EXPECT_EQ(server.command({"GET", "k"}).text, "v");
  EXPECT_TRUE(downs_.empty());
}

TEST_F(RedisLinkTest, AWrongPasswordIsDownAndRetried) {
  RedisServer server(RedisServerOptions{.password = "right horse"});
  auto settings = settings_for(server);
  settings.password = "wrong horse";
  make_link(settings);
  ASSERT_TRUE(wait_downs(3));
  for (const auto& why : downs_) EXPECT_EQ(why.rfind("authentication failed: ", 0), 0u) << why;
  EXPECT_EQ(ups_, 0);
  EXPECT_FALSE(link_->up());
}

TEST_F(RedisLinkTest, NoPasswordForAServerThatWantsOneIsDown) {
  RedisServer server(RedisServerOptions{.password = "right horse"});
  make_link(settings_for(server));
  ASSERT_TRUE(wait_downs(2));
  EXPECT_NE(downs_[0].find("NOAUTH"), std::string::npos) << downs_[0];
  EXPECT_EQ(ups_, 0);
}

TEST_F(RedisLinkTest, SelectsItsDatabaseAndNamesItself) {
  RedisServer server;
  auto settings = settings_for(server);
  settings.endpoint = tcp_endpoint(server, 3);
  settings.client_name = "netcookd-test-link";
  make_link(settings);
  ASSERT_TRUE(wait_up());
  ASSERT_TRUE(send({"SET", "in-three", "1"}));
  ASSERT_TRUE(wait_replies(1));
  EXPECT_EQ(server.command({"EXISTS", "in-three"}).integer, 0);  // not in db 0
  const std::string keyspace = server.command({"INFO", "keyspace"}).text;
  EXPECT_NE(keyspace.find("db3:keys=1"), std::string::npos) << keyspace;
  const std::string clients = server.command({"CLIENT", "LIST"}).text;
  EXPECT_NE(clients.find("name=netcookd-test-link"), std::string::npos) << clients;
}

TEST_F(RedisLinkTest, ADatabaseTheServerHasNotIsDown) {
  RedisServer server;
  auto settings = settings_for(server);
  settings.endpoint = tcp_endpoint(server, 99);  // the fixture has 16
  make_link(settings);
  ASSERT_TRUE(wait_downs(2));
  EXPECT_EQ(downs_[0].rfind("SELECT 99 failed: ", 0), 0u) << downs_[0];
  EXPECT_EQ(ups_, 0);
}

TEST_F(RedisLinkTest, ConnectsOverAUnixSocket) {
  RedisServer server;
  LinkSettings settings;
  settings.endpoint.kind = config::BusEndpoint::Kind::unix_socket;
  settings.endpoint.path = server.unix_path();
  make_link(settings);
  ASSERT_TRUE(wait_up());
  ASSERT_TRUE(send({"ECHO", "over unix"}));
  ASSERT_TRUE(wait_replies(1));
  EXPECT_EQ(replies_[0], "over unix");
  EXPECT_NE(server.command({"CLIENT", "LIST"}).text.find("addr=/"), std::string::npos);

  server.kill();
  ASSERT_TRUE(wait_downs(2));
  EXPECT_EQ(downs_[0], "closed by the server");
  EXPECT_EQ(downs_[1], "connection refused");  // SIGKILL left the socket file
  server.restart();
  ASSERT_TRUE(wait_up(2));
}

TEST_F(RedisLinkTest, ABlockingCommandWaitsWithItsExtra) {
  RedisServer server;
  auto settings = settings_for(server);
  settings.timeout = 300ms;
  make_link(settings);
  ASSERT_TRUE(wait_up());
  // Blocks 800 ms, past the 300 ms timeout but within timeout + extra.
  ASSERT_TRUE(send({"XREAD", "BLOCK", "800", "STREAMS", "s", "$"}, 800ms));
  ASSERT_TRUE(wait_replies(1));
  EXPECT_EQ(replies_[0], "<nil>");
  EXPECT_TRUE(downs_.empty());

  // Answered when an entry comes.
  ASSERT_TRUE(send({"XREAD", "BLOCK", "5000", "STREAMS", "s", "$"}, 5000ms));
  ASSERT_TRUE(run_until(loop_, [&] { return info_field(server, "blocked_clients") == 1; }));
  server.command({"XADD", "s", "*", "line", "hello"});
  ASSERT_TRUE(wait_replies(2));
  EXPECT_EQ(replies_[1], "<array 1>");

  // Without the extra, the same wait is taken for a silent server.
  ASSERT_TRUE(send({"XREAD", "BLOCK", "800", "STREAMS", "s", "$"}));
  ASSERT_TRUE(wait_replies(3));
  EXPECT_EQ(replies_[2], "<null>");
  ASSERT_EQ(downs_.size(), 1u);
  EXPECT_EQ(downs_[0], "timed out");
}

TEST_F(RedisLinkTest, DestroyedWithCommandsPendingCallsNothing) {
  RedisServer server;
  make_link(settings_for(server));
  ASSERT_TRUE(wait_up());
  ASSERT_TRUE(send({"BLPOP", "nothing", "30"}, 30s));
  ASSERT_TRUE(send({"PING"}, 30s));
  ASSERT_TRUE(run_until(loop_, [&] { return info_field(server, "blocked_clients") == 1; }));
  link_.reset();
  ASSERT_TRUE(run_until(loop_, [&] { return info_field(server, "connected_clients") == 1; }))
      << "the link's connection was not closed";  // the one of INFO is left
  EXPECT_TRUE(replies_.empty());
  EXPECT_TRUE(downs_.empty());
}

TEST_F(RedisLinkTest, DestroyedFromItsOwnCallback) {
  RedisServer server;
  make_link(settings_for(server));
  ASSERT_TRUE(wait_up());
  bool called = false;
  const std::string_view first[] = {"PING"};
  ASSERT_TRUE(link_->command(first, [&](const redisReply*) {
    called = true;
    link_.reset();  // inside hiredis's call: the context goes a turn later
  }));
  ASSERT_TRUE(send({"PING"}));  // pipelined behind: dropped
  ASSERT_TRUE(run_until(loop_, [&] { return called; }));
  ASSERT_TRUE(run_until(loop_, [&] { return info_field(server, "connected_clients") == 1; }))
      << "the link's connection was not closed";
  EXPECT_TRUE(replies_.empty());
  EXPECT_TRUE(downs_.empty());
}

TEST_F(RedisLinkTest, ResetFromACallbackComesBack) {
  RedisServer server;
  make_link(settings_for(server));
  ASSERT_TRUE(wait_up());
  const std::string_view ping[] = {"PING"};
  ASSERT_TRUE(link_->command(ping, [&](const redisReply* reply) {
    replies_.push_back(text_of(reply));
    link_->reset("told to");
  }));
  ASSERT_TRUE(send({"PING"}));  // behind the reset: null
  ASSERT_TRUE(wait_replies(2));
  EXPECT_EQ(replies_, (std::vector<std::string>{"PONG", "<null>"}));
  ASSERT_EQ(downs_.size(), 1u);
  EXPECT_EQ(downs_[0], "told to");
  ASSERT_TRUE(wait_up(2));
  // The first connection went: only the new one and INFO's are left.
  ASSERT_TRUE(run_until(loop_, [&] { return info_field(server, "connected_clients") == 2; }));
}

TEST_F(RedisLinkTest, CommandsFromCallbacksAreSent) {
  RedisServer server;
  make_link(settings_for(server));
  link_->on_up([&] {
    ++ups_;
    send({"SET", "from-on-up", "1"});
  });
  ASSERT_TRUE(wait_up());
  ASSERT_TRUE(wait_replies(1));
  EXPECT_EQ(replies_[0], "OK");
  const std::string_view get[] = {"GET", "from-on-up"};
  ASSERT_TRUE(link_->command(get, [&](const redisReply* reply) {
    replies_.push_back(text_of(reply));
    send({"INCR", "chained"});
  }));
  ASSERT_TRUE(wait_replies(3));
  EXPECT_EQ(replies_[1], "1");
  EXPECT_EQ(replies_[2], "1");
}

// A listening socket of the test's that never answers: the link connects,
// says PING, and waits.
class SilentServer {
 public:
  SilentServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener_, 8), 0);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() {
    if (accepted_ >= 0) ::close(accepted_);
    ::close(listener_);
  }
  std::uint16_t port() const { return port_; }
  // Takes a pending connection, if any; true once one is taken.
  bool accept_one() {
    if (accepted_ < 0) accepted_ = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK);
    return accepted_ >= 0;
  }
  // What came on the accepted connection, appended; false at its end.
  bool read_some() {
    char buffer[512];
    const ssize_t n = ::read(accepted_, buffer, sizeof buffer);
    if (n == 0) return false;
    if (n > 0) received_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  int listener_ = -1;
  int accepted_ = -1;
  std::uint16_t port_ = 0;
  std::string received_;
};

TEST_F(RedisLinkTest, DestroyedWhileConnecting) {
  SilentServer silent;
  LinkSettings settings;
  settings.endpoint.host = "127.0.0.1";
  settings.endpoint.port = silent.port();
  make_link(settings);
  ASSERT_TRUE(run_until(loop_, [&] {
    return silent.accept_one() && silent.read_some() &&
           silent.received().find("PING") != std::string::npos;
  }));
  EXPECT_FALSE(link_->up());
  link_.reset();
  ASSERT_TRUE(run_until(loop_, [&] { return !silent.read_some(); }))
      << "the connection was not closed";
  EXPECT_EQ(ups_, 0);
  EXPECT_TRUE(downs_.empty());
}

TEST_F(RedisLinkTest, ASilentServerTimesOutTheConnecting) {
  SilentServer silent;
  LinkSettings settings;
  settings.endpoint.host = "127.0.0.1";
  settings.endpoint.port = silent.port();
  settings.timeout = 300ms;
  make_link(settings);
  const auto started = Clock::now();
  ASSERT_TRUE(wait_downs(1));
  EXPECT_EQ(downs_[0], "timed out connecting");
  EXPECT_GE(down_times_[0] - started, 300ms);
  EXPECT_EQ(ups_, 0);
}

}  // namespace
}  // namespace netcook::bus
