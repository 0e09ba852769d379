// The coroutine model beyond the shared driver contract: what it logs, and
// teardown with connections suspended in every kind of wait.

#include "client.hpp"
#include "model/coroutine/driver.hpp"
#include "net/socket.hpp"
#include "test_protocols.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>

namespace netcook::test {
namespace {

using namespace std::chrono_literals;

class CoroutineModel : public testing::Test {
 protected:
  void start(proto::Protocol protocol, config::Limits limits = {}) {
    socket_ = net::listen_on(net::Address{net::Address::Kind::inet4, "127.0.0.1", 0});
    const std::string bound = net::local_address(socket_.borrow());
    port_ = static_cast<std::uint16_t>(std::stoi(bound.substr(bound.rfind(':') + 1)));
    model::DriverSettings settings;
    settings.listener.name = "co";
    settings.listener.workers = 2;
    settings.limits = limits;
    settings.log = std::make_shared<spdlog::logger>("co", log_);
    settings.on_drained = [this] { drained_ = true; };
    driver_ = model::coroutine::make_coroutine_driver(std::move(settings), socket_.borrow(),
                                                     std::move(protocol));
    driver_->start();
  }

  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> log_ =
      std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  net::UniqueFd socket_;
  std::uint16_t port_ = 0;
  std::atomic<bool> drained_{false};
  std::unique_ptr<model::Driver> driver_;
};

// Connections suspended reading and writing to a full socket are all
// destroyed (once: ASan would tell) and their sockets closed.
TEST_F(CoroutineModel, TeardownEndsEverySuspendedConnection) {
  start(echo_protocol());
  std::vector<Client> clients;
  for (int i = 0; i < 20; ++i) {
    clients.push_back(Client::connect(port_));
    ASSERT_EQ(clients.back().exchange("x"), "x");
  }
  // These never read: their echoes fill the sockets, and the server waits
  // to write (a write_all that times out only means it stopped reading).
  const std::string blob(1 << 20, 'y');
  for (std::size_t i = 0; i < 5; ++i) (void)clients[i].write_all(blob, 300ms);
  for (int i = 0; i < 100 && driver_->connections() != 20; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(driver_->connections(), 20u);
  driver_->stop_accepting(model::CloseReason::shutdown);
  EXPECT_FALSE(drained_);
  driver_.reset();
  EXPECT_TRUE(drained_);
  for (std::size_t i = 5; i < clients.size(); ++i)
    EXPECT_EQ(clients[i].wait_closed(), IoStatus::closed);
  // The others have unread echoes to get through first, or a reset.
  for (std::size_t i = 0; i < 5; ++i) {
    std::string rest = clients[i].read_exact(4 << 20);
    EXPECT_NE(clients[i].last_status(), IoStatus::timeout);
  }
}

}  // namespace
}  // namespace netcook::test
