// Raw echo (RFC 862) through the real daemon, once per model: exact bytes
// back, backpressure on a large transfer, many concurrent clients.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "models.hpp"

#include <gtest/gtest.h>

#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace netcook::test {
namespace {

// `size` bytes holding every byte value, with a pattern that does not
// repeat every 256 bytes, so a lost or duplicated block shows.
std::string pattern_blob(std::size_t size) {
  std::string blob(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    blob[i] = static_cast<char>((i + i / 256 + i / 65536) & 0xff);
  }
  return blob;
}

// A short description of where `got` departs from `want`.
std::string first_difference(const std::string& want, const std::string& got) {
  std::size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) {
    ++i;
  }
  if (i == want.size() && i == got.size()) {
    return "equal";
  }
  return "sizes " + std::to_string(want.size()) + " (want) and " +
         std::to_string(got.size()) + " (got), first difference at offset " +
         std::to_string(i);
}

class EchoRaw : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(
        make_config({{.name = "echo", .model = GetParam()}}));
    port_ = daemon_->port_of("echo");
  }

  std::unique_ptr<Daemon> daemon_;
  std::uint16_t port_ = 0;
};

TEST_P(EchoRaw, OneByte) {
  auto client = Client::connect(port_);
  EXPECT_EQ(client.exchange("x"), "x");
  EXPECT_EQ(client.exchange(std::string(1, '\0')), std::string(1, '\0'));
  EXPECT_EQ(client.exchange("\xff"), "\xff");
}

// Writes `blob` from one thread while reading the echo in another, then
// checks it came back whole and the connection still works.
void expect_echoed_while_writing(Client& client, const std::string& blob) {
  IoStatus written = IoStatus::error;
  std::thread writer([&] { written = client.write_all(blob, kLongWait); });
  const std::string echoed = client.read_exact(blob.size(), kLongWait);
  const IoStatus read_status = client.last_status();
  if (echoed.size() != blob.size()) {
    client.shutdown_both();  // unblock the writer
  }
  writer.join();
  EXPECT_EQ(written, IoStatus::ok);
  EXPECT_EQ(read_status, IoStatus::ok);
  EXPECT_TRUE(echoed == blob) << first_difference(blob, echoed);
  EXPECT_EQ(client.exchange("after"), "after");
}

// The writer never waits for echoes: the daemon must stop reading while its
// outbox is full and resume later, without deadlock or loss.
TEST_P(EchoRaw, MegabyteOfEveryByteValueWrittenWithoutWaiting) {
  auto client = Client::connect(port_);
  expect_echoed_while_writing(client, pattern_blob(1 << 20));
}

// A reader with a small window: the daemon's socket is full again and again
// while bytes are on their way back, so each model keeps in its outbox what
// a read brought and the socket would not take; every byte must still come
// back once, in order.
TEST_P(EchoRaw, SmallWindowReaderGetsEveryByteInOrder) {
  auto client = Client::connect(port_, ConnectOptions{.receive_buffer = 4096});
  expect_echoed_while_writing(client, pattern_blob(8 << 20));
}

TEST_P(EchoRaw, AbortedClientDoesNotDisturbOthers) {
  {
    auto rude = Client::connect(port_);
    // Lots of data, never read: the daemon's writes fail once we are gone.
    rude.write_all(pattern_blob(256 * 1024), Timeout{2000});
  }
  auto polite = Client::connect(port_);
  EXPECT_EQ(polite.exchange("still there?"), "still there?");
  EXPECT_FALSE(daemon_->wait_exit(Timeout{0}).has_value());
}

// Each client's message per round: distinct, binary, of varying length.
std::string message_for(int client, int round) {
  std::string message = "c" + std::to_string(client) + "r" +
                        std::to_string(round) + ":";
  const int length = (client * 37 + round * 101) % 3000 + 1;
  for (int i = 0; i < length; ++i) {
    message += static_cast<char>((client + round + i) & 0xff);
  }
  return message;
}

TEST_P(EchoRaw, TwoHundredConcurrentClients) {
  constexpr int kThreads = 8;
  constexpr int kClientsPerThread = 25;
  constexpr int kRounds = 5;
  std::mutex mutex;
  std::vector<std::string> errors;
  auto report = [&](std::string error) {
    std::lock_guard lock(mutex);
    errors.push_back(std::move(error));
  };
  // Everyone connects before anyone talks: 200 connections at once.
  std::latch connected(kThreads);
  auto run = [&](int thread) {
    std::vector<std::optional<Client>> clients;
    for (int i = 0; i < kClientsPerThread; ++i) {
      auto result = Client::try_connect(port_);
      if (!result.client) {
        report("client " + std::to_string(thread * kClientsPerThread + i) +
               ": connect failed, errno " + std::to_string(result.error));
      }
      clients.push_back(std::move(result.client));
    }
    connected.arrive_and_wait();
    for (int round = 0; round < kRounds; ++round) {
      for (int i = 0; i < kClientsPerThread; ++i) {
        if (clients[i]) {
          clients[i]->write_all(message_for(thread * kClientsPerThread + i,
                                            round));
        }
      }
      for (int i = 0; i < kClientsPerThread; ++i) {
        if (!clients[i]) {
          continue;
        }
        const int id = thread * kClientsPerThread + i;
        const auto want = message_for(id, round);
        const auto got = clients[i]->read_exact(want.size());
        if (got != want) {
          report("client " + std::to_string(id) + " round " +
                 std::to_string(round) + ": " + first_difference(want, got) +
                 " (" + to_string(clients[i]->last_status()) + ")");
          clients[i].reset();
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back(run, t);
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_TRUE(errors.empty()) << errors.size() << " failures, first: "
                              << errors.front();
}

INSTANTIATE_TEST_SUITE_P(Models, EchoRaw, kAllModels, model_name);

}  // namespace
}  // namespace netcook::test
