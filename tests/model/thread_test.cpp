// What the thread model promises beyond the driver contract: a named thread
// per connection, many connections at once, and threads that end (and are
// joined) with their connections.

#include "driver_test.hpp"
#include "model/thread/driver.hpp"
#include "model/thread/stack_pool.hpp"
#include "model/thread/thread_set.hpp"
#include "proto/echo.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <dirent.h>
#include <sys/mman.h>
#include <unistd.h>
#include <fstream>
#include <thread>
#include <vector>

namespace netcook::test {
namespace {

using namespace std::chrono_literals;

class ThreadModelTest : public DriverTest {};

// The comm of every thread of this process.
std::vector<std::string> thread_names() {
  std::vector<std::string> names;
  DIR* tasks = ::opendir("/proc/self/task");
  if (tasks == nullptr) return names;
  while (const dirent* entry = ::readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream comm(std::string("/proc/self/task/") + entry->d_name + "/comm");
    std::string name;
    if (std::getline(comm, name)) names.push_back(name);
  }
  ::closedir(tasks);
  return names;
}

// "test#<digits>": a connection thread of the fixture's listener.
bool is_connection_thread(const std::string& name) {
  const std::string prefix = "test#";
  return name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
         std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; });
}

std::size_t connection_threads() {
  const auto names = thread_names();
  return static_cast<std::size_t>(std::count_if(names.begin(), names.end(), is_connection_thread));
}

// Waits until `done` holds (threads end asynchronously).
template <typename Condition>
bool eventually(Condition done) {
  const Deadline deadline(kWait);
  while (!done()) {
    if (deadline.expired()) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

proto::Protocol thread_prefix_protocol() {
  proto::Protocol protocol;
  protocol.make_session = [](const proto::SessionContext& context) {
    return proto::make_echo_session({true, "{thread} ", 1024}, context);
  };
  return protocol;
}

TEST_P(ThreadModelTest, ServingThreadIsNamedAfterTheListener) {
  start(thread_prefix_protocol());
  auto client = Client::connect(port_);
  ASSERT_EQ(client.write_all("hi\n"), IoStatus::ok);
  const std::string line = client.read_line();
  const std::string name = line.substr(0, line.find(' '));
  ASSERT_TRUE(is_connection_thread(name)) << line;
  std::size_t seen = 0;
  for (const auto& task : thread_names()) seen += task == name ? 1 : 0;
  EXPECT_EQ(seen, 1u) << name << " not found among /proc/self/task/*/comm";
}

TEST_P(ThreadModelTest, ThreadsEndWithTheirConnections) {
  start(echo_protocol());
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(eventually([&] { return connection_threads() == 0; }));
    std::vector<Client> clients;
    for (int i = 0; i < 20; ++i) clients.push_back(Client::connect(port_));
    for (auto& client : clients) ASSERT_EQ(client.exchange("x"), "x");
    EXPECT_EQ(connection_threads(), 20u);
  }
  EXPECT_TRUE(eventually([&] { return connection_threads() == 0; }));
  EXPECT_TRUE(eventually([&] { return driver_->connections() == 0; }));
}

TEST_P(ThreadModelTest, FiveHundredConcurrentConnections) {
  // Each connection costs two descriptors here (client and server side).
  if (net::raise_fd_limit() < 1200) GTEST_SKIP() << "RLIMIT_NOFILE too low";
  config::Limits limits;
  limits.max_connections = 600;
  start(echo_protocol(), limits);
  std::vector<Client> clients;
  clients.reserve(500);
  for (int i = 0; i < 500; ++i) clients.push_back(Client::connect(port_));
  for (int i = 0; i < 500; ++i)
    ASSERT_EQ(clients[static_cast<std::size_t>(i)].write_all("message " + std::to_string(i)),
              IoStatus::ok);
  for (int i = 0; i < 500; ++i) {
    const std::string message = "message " + std::to_string(i);
    ASSERT_EQ(clients[static_cast<std::size_t>(i)].read_exact(message.size()), message);
  }
  EXPECT_EQ(driver_->connections(), 500u);
  EXPECT_EQ(connection_threads(), 500u);
}

TEST_P(ThreadModelTest, StopAcceptingLeavesTheSocketAlone) {
  start(echo_protocol());
  auto client = Client::connect(port_);
  ASSERT_EQ(client.exchange("a"), "a");
  driver_->stop_accepting(model::CloseReason::shutdown);
  // A connection made now waits in the backlog; the driver never takes it.
  auto waiting = Client::connect(port_);
  EXPECT_EQ(waiting.write_all("b"), IoStatus::ok);
  EXPECT_EQ(waiting.read_exact(1, 300ms), "");
  EXPECT_EQ(driver_->connections(), 1u);
  EXPECT_EQ(client.exchange("c"), "c");
}

INSTANTIATE_TEST_SUITE_P(Thread, ThreadModelTest,
                         testing::Values(ModelCase{"thread", model::thread::make_thread_driver, 1}),
                         case_name);

// Jobs that end at once are all joined; join_all() returns when none runs.
class CountingJob final : public model::thread::Job {
 public:
  explicit CountingJob(std::atomic<int>& runs) : runs_(runs) {}
  void run() noexcept override { runs_.fetch_add(1); }

 private:
  std::atomic<int>& runs_;
};

// A stack given back has its pages returned (they read as zeros again) but
// the top kResidentTop, and is the next one handed out; the guard page
// below it is mapped.
TEST(StackPool, GivesPagesBackAndReusesStacks) {
  model::thread::StackPool pool(64 * 1024);
  const auto stack = pool.take();
  ASSERT_NE(stack.base, nullptr);
  EXPECT_GE(stack.size, 64u * 1024);
  auto* bytes = static_cast<unsigned char*>(stack.base);
  std::fill(bytes, bytes + stack.size, 0xAB);
  pool.give_back(stack);
  const auto again = pool.take();
  EXPECT_EQ(again.base, stack.base);
  const std::size_t kept = model::thread::StackPool::kResidentTop;
  EXPECT_EQ(std::count(bytes, bytes + again.size - kept, 0), static_cast<long>(again.size - kept));
  EXPECT_EQ(std::count(bytes + again.size - kept, bytes + again.size, 0xAB),
            static_cast<long>(kept));
  unsigned char residency = 0;
  const long page = ::sysconf(_SC_PAGESIZE);
  EXPECT_EQ(::mincore(bytes - page, static_cast<std::size_t>(page), &residency), 0);
  EXPECT_EQ(::mprotect(bytes - page, static_cast<std::size_t>(page), PROT_NONE), 0);  // mapped
  pool.give_back(again);
}

TEST(ThreadSet, RunsAndJoinsEveryJob) {
  std::atomic<int> runs{0};
  model::thread::ThreadSet threads(64 * 1024);
  for (int i = 0; i < 200; ++i) threads.spawn(std::make_unique<CountingJob>(runs));
  threads.join_all();
  EXPECT_EQ(runs.load(), 200);
  EXPECT_EQ(threads.running(), 0u);
}

}  // namespace
}  // namespace netcook::test
