// The driver contract, checked for every concurrency model over real
// loopback sockets, in-process: one driver, a test protocol, real clients.
// A model that passes here can run any protocol (echo, chat, http).

#include "driver_test.hpp"

#include "cpu_meter.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace netcook::test {
namespace {

using namespace std::chrono_literals;

// A file with the given contents for the file protocol, removed at the end.
class TempFile {
 public:
  explicit TempFile(std::string_view contents) {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir != nullptr ? dir : "/tmp") + "/netcook-driver-XXXXXX";
    const net::UniqueFd fd(::mkostemp(path_.data(), O_CLOEXEC));
    if (!fd) throw std::runtime_error("mkostemp failed");
    for (std::size_t done = 0; done < contents.size();) {
      const ssize_t wrote = ::write(fd.get(), contents.data() + done, contents.size() - done);
      if (wrote <= 0) throw std::runtime_error("writing " + path_ + " failed");
      done += static_cast<std::size_t>(wrote);
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { ::unlink(path_.c_str()); }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST_P(DriverTest, EchoesOneByte) {
  start("echo");
  auto client = Client::connect(port_);
  EXPECT_EQ(client.exchange("x"), "x");
  client.shutdown_write();
  EXPECT_EQ(client.wait_closed(), IoStatus::closed);
  EXPECT_TRUE(closed_with("peer_closed"));
  EXPECT_TRUE(logged("(1 bytes in, 1 bytes out)"));
}

// A reset from the peer is told apart from its orderly end.
TEST_P(DriverTest, PeerResetIsTheReason) {
  start("echo");
  auto client = Client::connect(port_);
  EXPECT_EQ(client.exchange("x"), "x");
  client.close_with_reset();
  EXPECT_TRUE(closed_with("peer_reset"));
}

// The protocol ends the conversation: its last answer is written first.
TEST_P(DriverTest, SessionThatQuitsIsTheReason) {
  start("quit");
  auto client = Client::connect(port_);
  EXPECT_EQ(client.exchange("hi\n"), "hi\n");
  ASSERT_EQ(client.write_all("quit\n"), IoStatus::ok);
  EXPECT_EQ(client.read_exact(4), "bye\n");
  EXPECT_EQ(client.wait_closed(), IoStatus::closed);
  EXPECT_TRUE(closed_with("session_closed"));
}

TEST_P(DriverTest, HundredConcurrentClients) {
  start("echo");
  std::vector<Client> clients;
  for (int i = 0; i < 100; ++i) clients.push_back(Client::connect(port_));
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 100; ++i) {
      const std::string message = "client " + std::to_string(i) + " round " + std::to_string(round);
      ASSERT_EQ(clients[static_cast<std::size_t>(i)].exchange(message), message);
    }
  EXPECT_EQ(driver_->connections(), 100u);
}

// The client writes 1 MiB before reading anything: the driver must stop
// reading while its outbox is full instead of buffering or deadlocking.
TEST_P(DriverTest, BackpressureOnMegabyteWrittenBeforeRead) {
  start("echo");
  auto client = Client::connect(port_);
  std::string blob(1 << 20, '\0');
  for (std::size_t i = 0; i < blob.size(); ++i)
    blob[i] = static_cast<char>((i * 7 + i / 256) & 0xff);
  std::thread writer([&] { EXPECT_EQ(client.write_all(blob, kLongWait), IoStatus::ok); });
  const std::string echoed = client.read_exact(blob.size(), kLongWait);
  writer.join();
  EXPECT_TRUE(echoed == blob);
}

// Many clients send and never read: each connection's Outbox fills and it
// stops reading, holding what it received meanwhile. Another client is
// still served at once (under io_uring the held bytes must not pin the
// receive buffers every connection of a worker shares).
TEST_P(DriverTest, ClientsThatNeverReadDoNotStarveAnother) {
  start("echo");
  const std::string chunk(16 * 1024, 'x');
  std::vector<Client> stuck;
  for (int i = 0; i < 160; ++i) {
    stuck.push_back(Client::connect(port_));
    // As much as the path takes at once, up to 512 KiB: the Outbox
    // (256 KiB), what is received and not read, and some socket buffer.
    for (std::size_t sent = 0; sent < 512 * 1024;) {
      const ssize_t n = ::send(stuck.back().fd(), chunk.data(), chunk.size(),
                               MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
  }
  auto client = Client::connect(port_);
  EXPECT_EQ(client.exchange("still served"), "still served");
}

TEST_P(DriverTest, RefusesBeyondMaxConnections) {
  config::Limits limits;
  limits.max_connections = 2;
  start("room", limits);
  auto first = Client::connect(port_);
  auto second = Client::connect(port_);
  EXPECT_EQ(first.read_line().substr(0, 6), "hello ");
  EXPECT_EQ(second.read_line().substr(0, 6), "hello ");
  auto third = Client::connect(port_);
  EXPECT_EQ(third.read_line(), "full\n");
  EXPECT_EQ(third.wait_closed(), IoStatus::closed);
  first.write_all("still here\n");
  EXPECT_NE(second.read_line().find("still here"), std::string::npos);
}

TEST_P(DriverTest, IdleTimeoutClosesSilentConnections) {
  config::Limits limits;
  limits.idle_timeout = 200ms;
  start("echo", limits);
  auto idle = Client::connect(port_);
  EXPECT_EQ(idle.wait_closed(), IoStatus::closed);
  EXPECT_TRUE(closed_with("idle_timeout"));
}

TEST_P(DriverTest, IdleTimeoutGivesTheSessionALastWord) {
  config::Limits limits;
  limits.idle_timeout = 200ms;
  start("timeout", limits);
  auto idle = Client::connect(port_);
  EXPECT_EQ(idle.read_line(), "bye idle_timeout\n");
  EXPECT_EQ(idle.wait_closed(), IoStatus::closed);
  EXPECT_TRUE(closed_with("idle_timeout"));
}

// Bytes sent to a member are activity: one who only reads stays while the
// room talks, and goes once it falls silent.
TEST_P(DriverTest, AMemberWhoOnlyReadsIsNotIdle) {
  config::Limits limits;
  limits.idle_timeout = 600ms;
  start("room", limits);
  auto talker = Client::connect(port_);
  auto lurker = Client::connect(port_);
  ASSERT_EQ(talker.read_line().substr(0, 6), "hello ");
  ASSERT_EQ(lurker.read_line().substr(0, 6), "hello ");
  // Three idle timeouts of talk, a line every sixth of one: the pace of the
  // load, not a wait for anything.
  for (int n = 0; n < 18; ++n) {
    ASSERT_EQ(talker.write_all("line " + std::to_string(n) + "\n"), IoStatus::ok);
    ASSERT_NE(lurker.read_line().find(": line " + std::to_string(n) + "\n"), std::string::npos);
    std::this_thread::sleep_for(100ms);
  }
  talker.shutdown_both();
  EXPECT_EQ(lurker.read_line().substr(0, 5), "gone ");
  EXPECT_EQ(lurker.read_line(), "bye idle_timeout\n");  // the room fell silent
  EXPECT_EQ(lurker.wait_closed(), IoStatus::closed);
  EXPECT_TRUE(closed_with("idle_timeout"));
}

TEST_P(DriverTest, ReadTimeoutClosesAnUnfinishedLine) {
  config::Limits limits;
  limits.read_timeout = 200ms;
  start("line:1024", limits);
  auto slow = Client::connect(port_);
  EXPECT_EQ(slow.exchange("done\n"), "done\n");
  slow.write_all("never finished");
  EXPECT_EQ(slow.wait_closed(), IoStatus::closed);
  EXPECT_TRUE(closed_with("read_timeout"));
}

// The session's last answer on the read timeout reaches the client, and
// then the connection ends.
TEST_P(DriverTest, ReadTimeoutGivesTheSessionALastWord) {
  config::Limits limits;
  limits.read_timeout = 200ms;
  start("timeout", limits);
  auto slow = Client::connect(port_);
  EXPECT_EQ(slow.exchange("done\n"), "done\n");
  slow.write_all("never finished");
  EXPECT_EQ(slow.read_exact(8), "timeout\n");
  EXPECT_EQ(slow.wait_closed(), IoStatus::closed);
  EXPECT_TRUE(closed_with("read_timeout"));
}

TEST_P(DriverTest, ReadTimeoutLastWordThatThrowsStillCloses) {
  config::Limits limits;
  limits.read_timeout = 200ms;
  start("timeout:throw", limits);
  auto slow = Client::connect(port_);
  auto other = Client::connect(port_);
  slow.write_all("never finished");
  EXPECT_EQ(slow.wait_closed(), IoStatus::closed);  // and nothing was sent
  EXPECT_EQ(other.exchange("fine\n"), "fine\n");
  EXPECT_TRUE(logged("error: connection"));
  EXPECT_TRUE(logged("failed: no last word"));
  EXPECT_TRUE(closed_with("session_error"));
}

// Bytes, a file range and bytes again, for two pipelined lines: everything
// arrives, in order, exactly. The file is larger than socket buffers, so
// the driver waits for room in the middle of it.
TEST_P(DriverTest, AnswersWithBytesAFileRangeAndBytes) {
  std::string contents(768 * 1024, '\0');
  for (std::size_t i = 0; i < contents.size(); ++i)
    contents[i] = static_cast<char>((i * 13 + i / 509) & 0xff);
  const TempFile file(contents);
  start("file:" + file.path());
  auto client = Client::connect(port_);
  const std::string body = contents.substr(1, contents.size() - 2);
  const std::string expected = "<a>\n" + body + "</a>\n<b>\n" + body + "</b>\n";
  ASSERT_EQ(client.write_all("a\nb\n"), IoStatus::ok);
  const std::string got = client.read_exact(expected.size(), kLongWait);
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected);
  client.shutdown_write();
  EXPECT_EQ(client.wait_closed(), IoStatus::closed);  // and nothing more was sent
  EXPECT_TRUE(closed_with("peer_closed"));
}

// A file that shrinks under an answer cannot be sent: the connection ends
// (io_error) instead of waiting for bytes that will never come.
TEST_P(DriverTest, FileCutShortEndsTheConnection) {
  const std::string contents(768 * 1024, 'f');
  const TempFile file(contents);
  start("file:" + file.path());
  auto client = Client::connect(port_);
  const std::string first = "<a>\n" + contents.substr(1, contents.size() - 2) + "</a>\n";
  ASSERT_EQ(client.write_all("a\n"), IoStatus::ok);
  ASSERT_EQ(client.read_exact(first.size(), kLongWait).size(), first.size());
  ASSERT_EQ(::truncate(file.path().c_str(), 1000), 0);
  ASSERT_EQ(client.write_all("b\n"), IoStatus::ok);
  const std::string second = client.read_exact(first.size(), kLongWait);
  EXPECT_EQ(client.last_status(), IoStatus::closed);
  EXPECT_EQ(second, "<b>\n" + contents.substr(1, 999));
  EXPECT_TRUE(closed_with("io_error"));
}

// A peer that sends and never reads what is echoed: once its outbox is
// full and the socket takes nothing more, nothing moves, and the idle
// timeout ends it (a connection process that waited in recv(2) for its
// bytes waits for the socket to take them, bounded by the same deadline).
TEST_P(DriverTest, AnEchoPeerThatNeverReadsIsCutOffWhenIdle) {
  config::Limits limits;
  limits.idle_timeout = 300ms;
  limits.max_outbox = 64 * 1024;
  start("echo", limits);
  auto client = Client::connect(port_, ConnectOptions{.receive_buffer = 4096});
  const std::string chunk(64 * 1024, 'e');
  // Socket buffers hold a few MB at most: the writes stall well before 64 MB.
  IoStatus wrote = IoStatus::ok;
  for (int n = 0; n < 1024 && wrote == IoStatus::ok; ++n) wrote = client.write_all(chunk, 1s);
  EXPECT_NE(wrote, IoStatus::ok);
  EXPECT_TRUE(closed_with("idle_timeout"));
}

// The same for a file range: sendfile(2) must not wait for a peer that
// stopped reading. The first answer is read whole, so that the second
// request is most likely awaited (in recv(2), by the fork model's
// process, whose socket the wait made blocking: non-blocking again for
// the file).
TEST_P(DriverTest, AFileToAPeerThatStopsReadingIsCutOffWhenIdle) {
  const std::string contents(16 << 20, 'f');
  const TempFile file(contents);
  // The first answer is counted, not kept: the connection's idle time
  // would include copies of 16 MiB, which take seconds under
  // ThreadSanitizer (it shadows every new byte).
  const std::size_t first = std::string_view("<a>\n").size() + contents.size() - 2 +
                            std::string_view("</a>\n").size();
  config::Limits limits;
  limits.idle_timeout = 300ms;
  start("file:" + file.path(), limits);
  auto client = Client::connect(port_, ConnectOptions{.receive_buffer = 64 * 1024});
  ASSERT_EQ(client.write_all("a\n"), IoStatus::ok);
  ASSERT_EQ(client.discard(first, kLongWait), first);
  ASSERT_EQ(client.write_all("b\n"), IoStatus::ok);
  EXPECT_EQ(client.read_exact(4), "<b>\n");  // then the file, unread
  EXPECT_TRUE(closed_with("idle_timeout"));
}

TEST_P(DriverTest, ServiceBroadcastsInOrder) {
  start("room");
  std::vector<Client> members;
  for (int i = 0; i < 20; ++i) {
    members.push_back(Client::connect(port_));
    ASSERT_EQ(members.back().read_line().substr(0, 6), "hello ");
  }
  for (int n = 0; n < 50; ++n) members[0].write_all("line " + std::to_string(n) + "\n");
  for (std::size_t m = 1; m < members.size(); ++m)
    for (int n = 0; n < 50; ++n) {
      const std::string line = members[m].read_line();
      ASSERT_NE(line.find(": line " + std::to_string(n) + "\n"), std::string::npos) << line;
    }
}

TEST_P(DriverTest, ServiceHearsWhenAMemberLeaves) {
  start("room");
  auto stays = Client::connect(port_);
  ASSERT_EQ(stays.read_line().substr(0, 6), "hello ");
  {
    auto leaves = Client::connect(port_);
    ASSERT_EQ(leaves.read_line().substr(0, 6), "hello ");
  }
  EXPECT_EQ(stays.read_line().substr(0, 5), "gone ");
}

// Flood control (Protocol::input_rate): a member who pastes many lines in
// one write is slowed to the rate after its burst, not cut off. Every line
// reaches the others once and in order, no sooner than the rate allows,
// while another member's line is not held up behind the paste.
TEST_P(DriverTest, APasteIsPacedNotLostNorInTheWay) {
  constexpr int kLines = 100;
  constexpr int kRate = 200;  // a second
  constexpr int kBurst = 10;
  start("paced:" + std::to_string(kRate) + "/" + std::to_string(kBurst));
  auto flooder = Client::connect(port_);
  auto reader = Client::connect(port_);
  auto other = Client::connect(port_);
  const std::string hello = flooder.read_line();
  ASSERT_EQ(hello.substr(0, 6), "hello ");
  const std::string from_flooder = hello.substr(6, hello.size() - 7) + ": ";
  ASSERT_EQ(reader.read_line().substr(0, 6), "hello ");
  ASSERT_EQ(other.read_line().substr(0, 6), "hello ");

  // 100 KB: more than one read, so the socket is read again after a hold
  // (kernel buffers keep the rest meanwhile).
  const std::string filler(1000, '.');
  std::string paste;
  for (int n = 0; n < kLines; ++n) paste += "paste " + std::to_string(n) + " " + filler + "\n";
  const auto pasted = std::chrono::steady_clock::now();
  ASSERT_EQ(flooder.write_all(paste), IoStatus::ok);
  int next = 0;          // the paste line expected next
  int quick_after = -1;  // how many paste lines came before the other's line
  while (next < kLines) {
    const std::string line = reader.read_line(kLongWait);
    ASSERT_FALSE(line.empty()) << "after " << next << " lines: " << to_string(reader.last_status());
    if (line.find(": quick\n") != std::string::npos) {
      quick_after = next;
      continue;
    }
    ASSERT_EQ(line, from_flooder + "paste " + std::to_string(next) + " " + filler + "\n");
    // The paste has started: the other member speaks now.
    if (++next == 1) {
      ASSERT_EQ(other.write_all("quick\n"), IoStatus::ok);
    }
  }
  const auto elapsed = std::chrono::steady_clock::now() - pasted;
  EXPECT_GE(quick_after, 1) << "the other member's line waited for the whole paste";
  // The burst at once, then a line every 1/rate: the last no sooner than
  // (lines - burst) / rate after the write (the daemon read it after; a
  // loop's time may be taken a little before it reads).
  const auto least = std::chrono::microseconds(1'000'000 * (kLines - kBurst) / kRate);
  EXPECT_GE(elapsed, least - 5ms);
  EXPECT_LT(elapsed, least + 5s) << "the paste stalled";
  // Slowed, not cut off: the flooder is still a member.
  ASSERT_EQ(flooder.write_all("after\n"), IoStatus::ok);
  EXPECT_EQ(reader.read_line(kLongWait), from_flooder + "after\n");
}

// A member that never reads is cut off once its outbox is full; the others
// keep receiving.
TEST_P(DriverTest, MemberThatNeverReadsIsCutOff) {
  config::Limits limits;
  limits.max_outbox = 64 * 1024;
  start("room", limits);
  auto sender = Client::connect(port_);
  auto reader = Client::connect(port_);
  auto sleeper = Client::connect(port_);
  ASSERT_EQ(sender.read_line().substr(0, 6), "hello ");
  ASSERT_EQ(reader.read_line().substr(0, 6), "hello ");
  const std::string text(1000, 'z');
  bool sleeper_gone = false;
  // Socket buffers hold a few MB at most; 20 MB is bound to overflow them.
  for (int n = 0; n < 20000 && !sleeper_gone; ++n) {
    ASSERT_EQ(sender.write_all(text + "\n"), IoStatus::ok);
    for (std::string line = reader.read_line(); line.rfind("gone ", 0) == 0 || line.empty();
         line = reader.read_line()) {
      if (line.rfind("gone ", 0) == 0) sleeper_gone = true;
      if (line.empty()) FAIL() << "reader lost its connection";
    }
  }
  EXPECT_TRUE(sleeper_gone);
  EXPECT_TRUE(closed_with("outbox_overflow"));
}

TEST_P(DriverTest, ExceptionInSessionEndsOnlyThatConnection) {
  start("throw");
  auto good = Client::connect(port_);
  auto bad = Client::connect(port_);
  EXPECT_EQ(good.exchange("ok"), "ok");
  bad.write_all("boom");
  EXPECT_EQ(bad.wait_closed(), IoStatus::closed);
  EXPECT_EQ(good.exchange("still ok"), "still ok");
  // Said in the log at error, with the same words under every model: a bug
  // in a protocol must not end connections silently.
  EXPECT_TRUE(logged("error: connection"));
  EXPECT_TRUE(logged("failed: boom"));
  EXPECT_TRUE(closed_with("session_error"));
  EXPECT_EQ(log_.count("failed: boom"), 1u);
}

TEST_P(DriverTest, DrainReportsWhenTheLastConnectionCloses) {
  start("echo");
  auto client = Client::connect(port_);
  EXPECT_EQ(client.exchange("a"), "a");
  driver_->stop_accepting(model::CloseReason::shutdown);
  EXPECT_FALSE(drained_.wait(0ms));
  EXPECT_EQ(client.exchange("b"), "b");  // existing connections keep working
  client.shutdown_both();
  EXPECT_TRUE(drained_.wait(kWait));
  EXPECT_TRUE(closed_with("peer_closed"));
}

TEST_P(DriverTest, DestroyingTheDriverClosesConnections) {
  expect_closed_by_teardown(std::nullopt, "shutdown");
}

// Many quiet connections, each waiting for its peer (in recv(2), for the
// fork model's processes), all stopped at once: each hears why and closes
// for that reason, never taken for its peer's end.
TEST_P(DriverTest, ConnectionsStoppedAtOnceAllSayWhy) {
  start("timeout");
  std::vector<Client> clients;
  for (int i = 0; i < 20; ++i) {
    clients.push_back(Client::connect(port_));
    ASSERT_EQ(clients.back().exchange("a\n"), "a\n");
  }
  driver_.reset();
  for (auto& client : clients) {
    EXPECT_EQ(client.read_line(), "bye shutdown\n");
    EXPECT_EQ(client.wait_closed(), IoStatus::closed);
  }
  const auto ended = figures_once([](const metrics::ListenerFigures& now) {
    return now.closed[static_cast<std::size_t>(model::CloseReason::shutdown)] >= 20;
  });
  EXPECT_EQ(ended.closed[static_cast<std::size_t>(model::CloseReason::shutdown)], 20u);
  EXPECT_EQ(ended.closed[static_cast<std::size_t>(model::CloseReason::peer_closed)], 0u);
}

// A reload removed the listener.
TEST_P(DriverTest, ConnectionsOfARemovedListenerSaySo) {
  expect_closed_by_teardown(model::CloseReason::listener_removed, "listener_removed");
}

// The listening socket shut down from outside (as a socket-activated one can
// be): accept(2) fails with EINVAL for ever. The driver logs it once and
// backs off instead of spinning, and its connections carry on.
TEST_P(DriverTest, ListeningSocketShutDownFromOutsideDoesNotSpin) {
  start("echo");
  auto client = Client::connect(port_);
  EXPECT_EQ(client.exchange("a"), "a");
  ASSERT_EQ(::shutdown(socket_.get(), SHUT_RDWR), 0);
  ASSERT_TRUE(logged("accept failed: Invalid argument"));
  const CpuMeter meter;
  std::this_thread::sleep_for(2s);  // the window measured, not a wait for anything
  EXPECT_LT(meter.share_of_one_core(), 0.05);
  EXPECT_EQ(client.exchange("b"), "b");
  EXPECT_EQ(log_.count("accept failed"), 1u);
}

}  // namespace
// Every connection is counted once, whatever the model: accepted, closed by
// its reason, its bytes both ways, its duration; and the threads (or
// processes) that served them used some CPU.
TEST_P(DriverTest, CountsEveryConnectionExactly) {
  start("echo");
  constexpr std::size_t kConnections = 5;
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < kConnections; ++i) {
    auto client = Client::connect(port_);
    const std::string message(100 + i * 1000, static_cast<char>('a' + i));
    EXPECT_EQ(client.exchange(message), message);
    bytes += message.size();
    client.shutdown_write();
    EXPECT_EQ(client.wait_closed(), IoStatus::closed);
  }
  const auto peer_closed = static_cast<std::size_t>(model::CloseReason::peer_closed);
  const auto f = figures_once([&](const metrics::ListenerFigures& now) {
    return now.closed[peer_closed] >= kConnections && now.cpu_nsec > 0;
  });
  EXPECT_EQ(f.accepted, kConnections);
  EXPECT_EQ(f.closed[peer_closed], kConnections);
  EXPECT_EQ(f.closed_total(), kConnections);
  EXPECT_EQ(f.active(), 0U);
  EXPECT_EQ(f.bytes_in, bytes);
  EXPECT_EQ(f.bytes_out, bytes);
  EXPECT_EQ(f.connection_duration.count(), kConnections);
  EXPECT_GT(f.cpu_nsec, 0U);
  for (std::uint64_t refused : f.refused) EXPECT_EQ(refused, 0U);
}

// A connection beyond max_connections is refused and counted as such, not
// as accepted.
TEST_P(DriverTest, CountsARefusalByItsReason) {
  config::Limits limits;
  limits.max_connections = 1;
  start("echo", limits);
  auto first = Client::connect(port_);
  ASSERT_EQ(first.exchange("x"), "x");
  auto second = Client::connect(port_);
  EXPECT_EQ(second.wait_closed(), IoStatus::closed);
  const auto full = static_cast<std::size_t>(model::CloseReason::full);
  const auto f =
      figures_once([&](const metrics::ListenerFigures& now) { return now.refused[full] >= 1; });
  EXPECT_EQ(f.refused[full], 1U);
  EXPECT_EQ(f.accepted, 1U);
  EXPECT_EQ(f.active(), 1U);
}

}  // namespace netcook::test
