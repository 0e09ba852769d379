// chat:'s keys of a room shared through Redis in the configuration file
// (room, history, bus, bus_password_file, presence_ttl, bus_outage,
// bus_queue, bus_timeout): values, defaults, and every error at its line
// and column. The URL's own forms are bus_url_test.cpp's; the password
// file's reading, bus_password_test.cpp's.

#include "config/loader.hpp"
#include "config_files.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace netcook::config {
namespace {

using namespace std::chrono_literals;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::Not;

using namespace files;

// Lines 1-6; tests append the section's keys from line 7 on, indented by
// six spaces.
constexpr std::string_view kChat = R"(listeners:
  - name: talk
    protocol: chat
    model: select
    listen: 127.0.0.1:7007
    chat:
)";

std::string chat_with(std::string_view extra) {
  return std::string(kChat) + std::string(extra);
}

ChatOptions chat_of(std::string_view extra) {
  const auto config = load(chat_with(extra));
  return config.listeners.empty() ? ChatOptions{} : config.listeners[0].chat;
}

// A password file in a private directory, removed after.
class PasswordFile {
 public:
  PasswordFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "netcook-cfg-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
    dir_ = pattern;
    std::ofstream(path(), std::ios::binary) << "s3cr3t\n";
  }
  ~PasswordFile() { std::filesystem::remove_all(dir_); }
  PasswordFile(const PasswordFile&) = delete;
  PasswordFile& operator=(const PasswordFile&) = delete;

  std::string dir() const { return dir_.string(); }
  std::string path() const { return (dir_ / "redis-password").string(); }

 private:
  std::filesystem::path dir_;
};

// ---- values --------------------------------------------------------------

TEST(ChatBusConfig, DefaultsALocalRoomNamedAfterTheListener) {
  const auto config = load(chat_with("      max_line: 1KiB\n"));
  ASSERT_EQ(config.listeners.size(), 1u);
  const auto& chat = config.listeners[0].chat;
  EXPECT_EQ(chat.room, "talk");
  EXPECT_EQ(chat.bus, std::nullopt);
  EXPECT_EQ(chat.bus_password_file, "");
  EXPECT_EQ(chat.history, 20u);
  EXPECT_EQ(chat.presence_ttl, 15s);
  EXPECT_EQ(chat.bus_outage, 30s);
  EXPECT_EQ(chat.bus_queue, 10000u);
  EXPECT_EQ(chat.bus_timeout, 5s);
  // Without a chat: section too.
  EXPECT_EQ(load(R"(listeners:
  - name: lobby-2
    protocol: chat
    model: epoll
    listen: 127.0.0.1:7007
)")
                .listeners.at(0)
                .chat.room,
            "lobby-2");
  // Only a chat listener has a room.
  EXPECT_EQ(load(kListener).listeners.at(0).chat.room, "");
}

TEST(ChatBusConfig, EveryKey) {
  CredentialsDirectory unset;
  const PasswordFile password;
  const auto chat = chat_of(
      "      room: Lobby.main_2-b\n      history: 0\n"
      "      bus: redis://127.0.0.1:6380/3\n"
      "      bus_password_file: " +
      password.path() +
      "\n      presence_ttl: 3s\n      bus_outage: 0s\n"
      "      bus_queue: 1\n      bus_timeout: 100ms\n");
  EXPECT_EQ(chat.room, "Lobby.main_2-b");
  EXPECT_EQ(chat.history, 0u);
  ASSERT_TRUE(chat.bus);
  EXPECT_EQ(*chat.bus, (BusEndpoint{BusEndpoint::Kind::tcp, "127.0.0.1", 6380, "", 3,
                                    "redis://127.0.0.1:6380/3"}));
  EXPECT_EQ(chat.bus_password_file, password.path());
  EXPECT_EQ(chat.presence_ttl, 3s);
  EXPECT_EQ(chat.bus_outage, 0s);
  EXPECT_EQ(chat.bus_queue, 1u);
  EXPECT_EQ(chat.bus_timeout, 100ms);
}

TEST(ChatBusConfig, Bounds) {
  const auto low = chat_of("      room: " + std::string(64, 'r') +
                           "\n      history: 1000\n"
                           "      bus: redis+unix:///run/redis/redis.sock?db=15\n"
                           "      presence_ttl: 10m\n      bus_outage: 1h\n"
                           "      bus_queue: 1000000\n      bus_timeout: 1m\n");
  EXPECT_EQ(low.room, std::string(64, 'r'));
  EXPECT_EQ(low.history, 1000u);
  ASSERT_TRUE(low.bus);
  EXPECT_EQ(*low.bus,
            (BusEndpoint{BusEndpoint::Kind::unix_socket, "", 6379, "/run/redis/redis.sock", 15,
                         "redis+unix:///run/redis/redis.sock?db=15"}));
  EXPECT_EQ(low.presence_ttl, 10min);
  EXPECT_EQ(low.bus_outage, 1h);
  EXPECT_EQ(low.bus_queue, 1000000u);
  EXPECT_EQ(low.bus_timeout, 1min);
}

TEST(ChatBusConfig, HistoryAndRoomWithoutABus) {
  const auto chat = chat_of("      room: lobby\n      history: 50\n");
  EXPECT_EQ(chat.room, "lobby");
  EXPECT_EQ(chat.history, 50u);
  EXPECT_EQ(chat.bus, std::nullopt);
}

TEST(ChatBusConfig, ARelativePasswordFileIsACredential) {
  CredentialsDirectory credentials;
  // Outside the unit (--check-config in a shell): not checked now; the
  // daemon started without $CREDENTIALS_DIRECTORY refuses it.
  EXPECT_EQ(chat_of("      bus: redis://localhost\n      bus_password_file: redis-password\n")
                .bus_password_file,
            "redis-password");
  const PasswordFile password;
  credentials.set(password.dir());
  EXPECT_EQ(chat_of("      bus: redis://localhost\n      bus_password_file: redis-password\n")
                .bus_password_file,
            "redis-password");
}

// ---- errors --------------------------------------------------------------

TEST(ChatBusConfigErrors, Room) {
  EXPECT_THAT(errors(chat_with("      room: my room\n")),
              ElementsAre("test.yaml:7:13: invalid value 'my room' for 'room': use 1-64 "
                          "characters of A-Z, a-z, 0-9, '.', '_' and '-'"));
  EXPECT_THAT(errors(chat_with("      room: " + std::string(65, 'r') + "\n")),
              ElementsAre(HasSubstr(":7:13: invalid value 'rrr")));
  EXPECT_THAT(errors(chat_with("      room: '{lobby}'\n")),
              ElementsAre(testing::StartsWith("test.yaml:7:13: invalid value '{lobby}' for "
                                              "'room'")));
  EXPECT_THAT(errors(chat_with("      room: ''\n")),
              ElementsAre(testing::StartsWith("test.yaml:7:13: invalid value '' for 'room'")));
  EXPECT_THAT(errors(chat_with("      room:\n")),
              ElementsAre("test.yaml:7:7: 'room' needs a value"));
}

TEST(ChatBusConfigErrors, History) {
  EXPECT_THAT(errors(chat_with("      history: 1001\n")),
              ElementsAre("test.yaml:7:16: value '1001' for 'history' is out of range 0..1000"));
  EXPECT_THAT(errors(chat_with("      history: -1\n")),
              ElementsAre("test.yaml:7:16: value '-1' for 'history' is out of range 0..1000"));
  EXPECT_THAT(errors(chat_with("      history: lots\n")),
              ElementsAre("test.yaml:7:16: invalid value 'lots' for 'history': expected an "
                          "integer"));
}

TEST(ChatBusConfigErrors, Bus) {
  EXPECT_THAT(errors(chat_with("      bus: rediss://redis.example.net\n")),
              ElementsAre("test.yaml:7:12: invalid value 'rediss://redis.example.net' for 'bus': "
                          "TLS to Redis is not supported; use redis:// on a trusted network, or "
                          "redis+unix:// on the same machine"));
  EXPECT_THAT(errors(chat_with("      bus: 127.0.0.1:6379\n")),
              ElementsAre("test.yaml:7:12: invalid value '127.0.0.1:6379' for 'bus': not a Redis "
                          "URL; write redis://HOST[:PORT][/DB] or redis+unix:///PATH[?db=DB]"));
  EXPECT_THAT(errors(chat_with("      bus: redis://127.0.0.1:6379/16\n")),
              ElementsAre("test.yaml:7:12: invalid value 'redis://127.0.0.1:6379/16' for 'bus': "
                          "database '16' is not a number from 0 to 15"));
  EXPECT_THAT(errors(chat_with("      bus: [redis://a, redis://b]\n")),
              ElementsAre("test.yaml:7:12: 'bus' must be a scalar, not a sequence"));
}

TEST(ChatBusConfigErrors, APasswordInTheUrlIsNeverRepeated) {
  const auto found = errors(chat_with("      bus: redis://:s3cr3t@127.0.0.1:6379/0\n"));
  EXPECT_THAT(found, ElementsAre("test.yaml:7:12: invalid value for 'bus': a URL with a user or "
                                 "password part ('...@') is refused: a password never goes in "
                                 "the configuration; put it in a file and name that file with "
                                 "'bus_password_file'"));
  EXPECT_THAT(found, testing::Each(Not(HasSubstr("s3cr3t"))));
  // The keys that need a bus do not pile on: the bus is there, only wrong.
  EXPECT_THAT(errors(chat_with("      bus: rediss://u:s3cr3t@h\n      bus_timeout: 1s\n")),
              ElementsAre(testing::AllOf(HasSubstr("test.yaml:7:12: invalid value for 'bus'"),
                                         Not(HasSubstr("s3cr3t")))));
}

TEST(ChatBusConfigErrors, PasswordFile) {
  CredentialsDirectory credentials;
  const PasswordFile password;
  const auto missing = password.dir() + "/missing";
  EXPECT_THAT(
      errors(chat_with("      bus: redis://localhost\n      bus_password_file: " + missing + "\n")),
      ElementsAre("test.yaml:8:26: invalid value '" + missing +
                  "' for 'bus_password_file': No such file or directory"));
  EXPECT_THAT(errors(chat_with("      bus: redis://localhost\n      bus_password_file: " +
                               password.dir() + "\n")),
              ElementsAre("test.yaml:8:26: invalid value '" + password.dir() +
                          "' for 'bus_password_file': not a regular file"));
  EXPECT_THAT(
      errors(chat_with("      bus: redis://localhost\n      bus_password_file: secrets/redis\n")),
      ElementsAre("test.yaml:8:26: invalid value 'secrets/redis' for 'bus_password_file': a "
                  "relative name is a credential in $CREDENTIALS_DIRECTORY (LoadCredential=) and "
                  "holds no '/'; write an absolute path for a file elsewhere"));
  EXPECT_THAT(errors(chat_with("      bus: redis://localhost\n      bus_password_file: ''\n")),
              ElementsAre("test.yaml:8:26: invalid value '' for 'bus_password_file': must not be "
                          "empty"));
  credentials.set(password.dir());
  EXPECT_THAT(errors(chat_with("      bus: redis://localhost\n      bus_password_file: other\n")),
              ElementsAre("test.yaml:8:26: invalid value 'other' for 'bus_password_file': " +
                          password.dir() + "/other: No such file or directory"));
}

TEST(ChatBusConfigErrors, DurationsAndQueue) {
  const std::string bus = "      bus: redis://localhost\n";
  EXPECT_THAT(errors(chat_with(bus + "      presence_ttl: 2s\n")),
              ElementsAre("test.yaml:8:21: value '2s' for 'presence_ttl' is out of range 3s..10m"));
  EXPECT_THAT(errors(chat_with(bus + "      presence_ttl: 15\n")),
              ElementsAre(testing::StartsWith("test.yaml:8:21: invalid value '15' for "
                                              "'presence_ttl': ")));
  EXPECT_THAT(errors(chat_with(bus + "      bus_outage: 1h1s\n")),
              ElementsAre("test.yaml:8:19: value '1h1s' for 'bus_outage' is out of range 0s..1h"));
  EXPECT_THAT(errors(chat_with(bus + "      bus_queue: 0\n")),
              ElementsAre("test.yaml:8:18: value '0' for 'bus_queue' is out of range 1..1000000"));
  EXPECT_THAT(errors(chat_with(bus + "      bus_queue: 1000001\n")),
              ElementsAre("test.yaml:8:18: value '1000001' for 'bus_queue' is out of range "
                          "1..1000000"));
  EXPECT_THAT(errors(chat_with(bus + "      bus_timeout: 99ms\n")),
              ElementsAre("test.yaml:8:20: value '99ms' for 'bus_timeout' is out of range "
                          "100ms..1m"));
  EXPECT_THAT(errors(chat_with(bus + "      bus_timeout: 61s\n")),
              ElementsAre("test.yaml:8:20: value '61s' for 'bus_timeout' is out of range "
                          "100ms..1m"));
}

TEST(ChatBusConfigErrors, KeysThatNeedABusWithoutOne) {
  const auto needs_bus = [](int line, const char* key) {
    return fmt::format(
        "test.yaml:{}:7: '{}' applies only to a room shared through 'bus', which "
        "this section does not set",
        line, key);
  };
  EXPECT_THAT(errors(chat_with("      room: lobby\n      bus_password_file: redis-password\n"
                               "      presence_ttl: 5s\n      bus_outage: 1m\n"
                               "      bus_queue: 5\n      bus_timeout: 1s\n      history: 5\n")),
              ElementsAre(needs_bus(8, "bus_password_file"), needs_bus(9, "presence_ttl"),
                          needs_bus(10, "bus_outage"), needs_bus(11, "bus_queue"),
                          needs_bus(12, "bus_timeout")));
}

TEST(ChatBusConfigErrors, MisspeltKeysAreSuggested) {
  EXPECT_THAT(errors(chat_with("      bus_pasword_file: x\n")),
              ElementsAre("test.yaml:7:7: unknown key 'bus_pasword_file' in section 'chat' of "
                          "listener 'talk'; did you mean 'bus_password_file'?"));
  EXPECT_THAT(errors(chat_with("      rooms: lobby\n")),
              ElementsAre("test.yaml:7:7: unknown key 'rooms' in section 'chat' of listener "
                          "'talk'; did you mean 'room'?"));
  EXPECT_THAT(errors(chat_with("      presence_tl: 5s\n")),
              ElementsAre("test.yaml:7:7: unknown key 'presence_tl' in section 'chat' of listener "
                          "'talk'; did you mean 'presence_ttl'?"));
}

TEST(ChatBusConfigErrors, NotOnAnotherProtocol) {
  EXPECT_THAT(errors(with("    chat:\n      bus: redis://localhost\n")),
              ElementsAre("test.yaml:6:5: section 'chat' is for protocol chat, but listener "
                          "'echo' speaks echo"));
}

}  // namespace
}  // namespace netcook::config
