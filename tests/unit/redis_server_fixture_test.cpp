// The test fixture tests/lib/redis_server.hpp: a private redis-server that
// starts, answers, stops, pauses and restarts as the bus tests expect.

#include "redis_server.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>

namespace netcook::test {
namespace {

TEST(RedisServerFixture, StartsAnswersAndStops) {
  RedisServer server;
  EXPECT_GT(server.pid(), 0);
  EXPECT_EQ(server.url(), "redis://127.0.0.1:" + std::to_string(server.port()) + "/0");
  EXPECT_TRUE(std::filesystem::exists(server.unix_path()));
  EXPECT_EQ(server.command({"SET", "a", "1"}).text, "OK");
  EXPECT_EQ(server.command({"GET", "a"}).text, "1");
  EXPECT_EQ(server.command({"RPUSH", "l", "x", "y"}).integer, 2);
  EXPECT_EQ(server.command({"LRANGE", "l", "0", "-1"}).flat(),
            (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(server.command({"GET", "missing"}).type, RedisReply::Type::nil);
  EXPECT_TRUE(server.command({"NOSUCHCOMMAND"}).is_error());
  const pid_t pid = server.pid();
  server.stop();
  EXPECT_FALSE(server.running());
  EXPECT_NE(::kill(pid, 0), 0);  // reaped: gone
  EXPECT_THROW(server.command({"PING"}), std::runtime_error);
}

TEST(RedisServerFixture, TwoServersGetTheirOwnPorts) {
  RedisServer one;
  RedisServer two;
  EXPECT_NE(one.port(), two.port());
  EXPECT_NE(one.unix_path(), two.unix_path());
}

TEST(RedisServerFixture, RestartsEmptyOnTheSamePort) {
  RedisServer server;
  const auto port = server.port();
  server.command({"SET", "a", "1"});
  server.kill();
  EXPECT_FALSE(server.running());
  server.restart();
  EXPECT_EQ(server.port(), port);
  EXPECT_EQ(server.command({"GET", "a"}).type, RedisReply::Type::nil);
  EXPECT_EQ(server.command({"PING"}).text, "PONG");
}

TEST(RedisServerFixture, PausedThenResumed) {
  RedisServer server;
  server.pause();
  EXPECT_THROW(server.command({"PING"}), std::runtime_error);  // the 5 s timeout
  server.resume();
  EXPECT_EQ(server.command({"PING"}).text, "PONG");
}

TEST(RedisServerFixture, StopsAPausedServer) {
  RedisServer server;
  server.pause();
  server.stop();
  EXPECT_FALSE(server.running());
}

TEST(RedisServerFixture, RequiresItsPassword) {
  RedisServer server(RedisServerOptions{.password = "s3cret"});
  EXPECT_EQ(server.command({"PING"}).text, "PONG");  // command() sends AUTH
  EXPECT_NE(server.output().find("Ready to accept connections"), std::string::npos);
}

}  // namespace
}  // namespace netcook::test
