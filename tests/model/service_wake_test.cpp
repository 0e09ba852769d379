// The Service's wake (ServiceContext::wake), checked for every model: news
// that reach the Service from a thread of its own (as a chat room's bus
// brings them) are delivered by woken() to every member, once each and in
// order, whatever the connections do meanwhile; a storm of wakes costs a
// few woken() calls; a wake while the driver goes, or after it has gone,
// does nothing. The room is wake_protocol.hpp's.

#include "driver_test.hpp"

#include <atomic>
#include <cerrno>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace netcook::test {
namespace {

using namespace std::chrono_literals;

// The number in a line "<word> <number>\n"; -1 for any other line.
long number_in(const std::string& line, std::string_view word) {
  const std::string prefix = std::string(word) + " ";
  if (line.rfind(prefix, 0) != 0 || line.empty() || line.back() != '\n') return -1;
  try {
    return std::stol(line.substr(prefix.size()));
  } catch (const std::exception&) {
    return -1;
  }
}

// A member of the room: connected, and greeted.
Client join(std::uint16_t port) {
  auto client = Client::connect(port);
  const std::string hello = client.read_line();
  EXPECT_GE(number_in(hello, "hello"), 0) << "greeting: " << hello;
  return client;
}

// Reads "news <first>\n" ... "news <last>\n" and nothing else.
::testing::AssertionResult reads_news(Client& client, long first, long last) {
  for (long k = first; k <= last; ++k) {
    const std::string line = client.read_line(kLongWait);
    if (line != "news " + std::to_string(k) + "\n")
      return ::testing::AssertionFailure() << "expected news " << k << ", got '" << line << "'";
  }
  return ::testing::AssertionSuccess();
}

// Members enough that, with several workers, some are on each (a
// connection's id names its worker in its low byte): deliveries made on
// the thread the wake runs on must also reach the other workers'. Which
// worker accepts is the kernel's choice (EPOLLEXCLUSIVE): connections come
// in bursts, so that several wait at once, until every worker has some.
std::vector<Client> members_on_every_worker(std::uint16_t port, unsigned workers) {
  std::vector<Client> members;
  std::set<proto::ConnectionId> seen;
  for (int burst = 0; burst < 16 && (members.empty() || seen.size() < workers); ++burst) {
    std::vector<Client> arrived;
    for (int i = 0; i < 8; ++i) arrived.push_back(Client::connect(port));
    for (auto& client : arrived) {
      const std::string hello = client.read_line();
      const long id = number_in(hello, "hello");
      EXPECT_GE(id, 0) << "greeting: " << hello;
      seen.insert(static_cast<proto::ConnectionId>(id) & 0xff);
      members.push_back(std::move(client));
    }
  }
  if (workers > 1) {
    EXPECT_GE(seen.size(), workers) << "no member on some worker";
  }
  return members;
}

TEST_P(DriverTest, NewsFromAForeignThreadReachEveryMemberOnceInOrder) {
  start("wake");
  auto members = members_on_every_worker(port_, GetParam().workers);
  ASSERT_EQ(members.front().write_all("news 500\n"), IoStatus::ok);
  for (auto& member : members) ASSERT_TRUE(reads_news(member, 1, 500));
  // Nothing came twice: the next line is the next news.
  ASSERT_EQ(members.back().write_all("news 1\n"), IoStatus::ok);
  for (auto& member : members) EXPECT_TRUE(reads_news(member, 501, 501));
}

// The room's thread wakes it all along while members join and leave (some
// with a reset): each member hears consecutive news, from its joining to
// its leaving, and the ones who stay hear them all.
TEST_P(DriverTest, NewsKeepTheirOrderWhileMembersComeAndGo) {
  start("wake");
  auto first = join(port_);
  auto second = join(port_);
  ASSERT_EQ(first.write_all("stream\n"), IoStatus::ok);
  for (int i = 0; i < 30; ++i) {
    auto passer = join(port_);
    const long one = number_in(passer.read_line(kLongWait), "news");
    const long two = number_in(passer.read_line(kLongWait), "news");
    ASSERT_GT(one, 0);
    EXPECT_EQ(two, one + 1);
    if (i % 2 == 1) passer.close_with_reset();
  }
  ASSERT_EQ(first.write_all("halt\n"), IoStatus::ok);
  for (Client* member : {&first, &second}) {
    long expected = 1;
    std::string line = member->read_line(kLongWait);
    for (; number_in(line, "news") == expected; line = member->read_line(kLongWait)) ++expected;
    EXPECT_GT(expected, 30);  // at least one news line per passer
    EXPECT_EQ(line, "halted " + std::to_string(expected - 1) + "\n");
  }
}

// 10,000 wakes in a row from one thread, nothing new: one ring per batch,
// so the driver answers with a few woken() calls and queues nothing per
// wake; the room then works as before.
TEST_P(DriverTest, AWakeStormCostsFewWokenCalls) {
  start("wake");
  auto member = join(port_);
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(member.write_all("storm 10000\n"), IoStatus::ok);
    const std::string line = member.read_line(kLongWait);
    const long calls = number_in(line, "stormed");
    ASSERT_GE(calls, 1) << line;
    // Batches, not one call per wake (10,000); how many depends on how
    // fast the answering thread goes round (sanitizers slow it unevenly).
    EXPECT_LE(calls, 2000) << "woken() calls for 10,000 wakes";
  }
  ASSERT_EQ(member.write_all("news 1\n"), IoStatus::ok);
  EXPECT_TRUE(reads_news(member, 1, 1));
}

// The driver goes while the room's thread streams news (waking all along),
// and a thread of the test's keeps calling the wake the room was made with
// until after the driver has gone: nothing breaks (run it under TSan and
// ASan). A fork room is made in the fork master, out of the test's reach:
// there its own thread, and the next room's thread calling this one's wake
// (wake_protocol.hpp), make the late wakes.
TEST_P(DriverTest, AWakeWhileOrAfterTheDriverGoesIsHarmless) {
  const auto probe = std::make_shared<WakeProbe>();
  start(wake_protocol(probe), {}, "wake");
  auto member = join(port_);
  ASSERT_EQ(member.write_all("stream\n"), IoStatus::ok);
  ASSERT_GT(number_in(member.read_line(kLongWait), "news"), 0);
  const auto wake = probe->wake();
  std::atomic<bool> done{false};
  std::atomic<long> late_wakes{0};
  std::thread waker([&] {
    while (!done.load()) {
      if (wake) wake();
      late_wakes.fetch_add(1);
      std::this_thread::yield();
    }
  });
  driver_->stop_accepting(model::CloseReason::shutdown);
  driver_.reset();
  const long at_teardown = late_wakes.load();
  while (late_wakes.load() < at_teardown + 1000) std::this_thread::yield();
  done = true;
  waker.join();
  // The member was closed with the driver (its news up to then, maybe).
  std::string rest;
  IoStatus status = IoStatus::ok;
  while ((status = member.read_available(rest, kLongWait)) == IoStatus::ok) rest.clear();
  EXPECT_TRUE(status == IoStatus::closed || member.last_error() == ECONNRESET);
}

}  // namespace
}  // namespace netcook::test
