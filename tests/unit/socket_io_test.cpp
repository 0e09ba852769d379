// model::write_outbox() and read_socket() over a real socket pair and real
// temporary files: bytes and file ranges leave in the order they were
// appended, a large file never enters memory, a file cut short ends the
// connection instead of hanging, and a full socket is reported as a value
// to resume from. And the PlainTransport over them: the same bytes, a
// short read said to have drained the socket, no handshake; and its read
// that waits (read_waiting): in a blocking socket, bounded by SO_RCVTIMEO,
// which other reads and a file range do not inherit.

#include "model/socket_io.hpp"
#include "model/transport.hpp"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace netcook::model {
namespace {

using std::chrono::milliseconds;

using proto::Outbox;
using Status = WriteResult::Status;

constexpr int kWaitMs = 15'000;  // every wait is bounded; a hang fails

// An unlinked temporary file, open for reading and writing.
std::shared_ptr<const net::UniqueFd> temp_file(std::string_view contents) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/netcook-outbox-XXXXXX";
  auto file = std::make_shared<net::UniqueFd>(::mkostemp(path.data(), O_CLOEXEC));
  if (!file->valid()) throw std::runtime_error("mkostemp failed");
  ::unlink(path.c_str());
  for (std::size_t done = 0; done < contents.size();) {
    const ssize_t wrote = ::write(file->get(), contents.data() + done, contents.size() - done);
    if (wrote <= 0) throw std::runtime_error("writing a temporary file failed");
    done += static_cast<std::size_t>(wrote);
  }
  return file;
}

// A connected pair: the Outbox writes to `ours` (non-blocking, as every
// driver's socket), the test reads `theirs`.
struct SocketPair {
  SocketPair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
      throw std::runtime_error("socketpair failed");
    ours.reset(fds[0]);
    theirs.reset(fds[1]);
    ::fcntl(ours.get(), F_SETFL, ::fcntl(ours.get(), F_GETFL) | O_NONBLOCK);
  }
  net::UniqueFd ours;
  net::UniqueFd theirs;
};

bool wait_for(int fd, short events) {
  pollfd wanted{fd, events, 0};
  return ::poll(&wanted, 1, kWaitMs) == 1;
}

// Reads `theirs` until end of file (or a bounded wait runs out); keeps the
// bytes when `keep`, else only counts them and keeps the last few.
class Reader {
 public:
  Reader(int fd, bool keep) : thread_([this, fd, keep] { run(fd, keep); }) {}
  ~Reader() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  const std::string& bytes() const { return bytes_; }
  std::size_t count() const { return count_; }

 private:
  void run(int fd, bool keep) {
    std::string buffer(64 * 1024, '\0');
    while (wait_for(fd, POLLIN)) {
      const ssize_t got = ::read(fd, buffer.data(), buffer.size());
      if (got <= 0) return;
      const auto size = static_cast<std::size_t>(got);
      count_ += size;
      bytes_.append(buffer, 0, size);
      if (!keep && bytes_.size() > 16) bytes_.erase(0, bytes_.size() - 16);
    }
  }

  std::string bytes_;
  std::size_t count_ = 0;
  std::thread thread_;
};

// Calls write_outbox() until it is done or fails, waiting for room as needed.
WriteResult send_all(Outbox& out, const net::UniqueFd& socket) {
  while (true) {
    const WriteResult result = write_outbox(socket.borrow(), out);
    if (result.status == Status::done || result.status == Status::failed) return result;
    if (result.status == Status::would_block && !wait_for(socket.get(), POLLOUT)) return result;
  }
}

std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
  return bytes;
}

long max_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST(WriteOutbox, BytesFileBytesLeaveInOrder) {
  const std::string contents = pattern(300 * 1024);
  const auto file = temp_file(contents);
  SocketPair pair;
  Outbox out;
  out.append("head\n");
  out.append_file(file, 1000, 200 * 1024);
  out.append("middle\n");
  out.append_file(file, 0, 10);
  out.append_file(file, 5, 0);  // empty: nothing to send
  out.append('!');
  EXPECT_EQ(out.size(), 13u);  // the files hold no memory
  EXPECT_EQ(out.pending(), "head\n");

  Reader reader(pair.theirs.get(), true);
  const WriteResult result = send_all(out, pair.ours);
  pair.ours.reset();
  reader.join();
  EXPECT_EQ(result.status, Status::done);
  EXPECT_TRUE(out.empty());
  const std::string expected =
      "head\n" + contents.substr(1000, 200 * 1024) + "middle\n" + contents.substr(0, 10) + "!";
  EXPECT_EQ(reader.bytes().size(), expected.size());
  EXPECT_TRUE(reader.bytes() == expected);
}

// 64 MiB of a sparse file goes through a socket while the process' peak
// resident memory stays far below the file's size.
TEST(WriteOutbox, LargeSparseFileDoesNotEnterMemory) {
  constexpr std::size_t kSize = 64 * 1024 * 1024;
  const auto file = temp_file("");
  ASSERT_EQ(::pwrite(file->get(), "end", 3, kSize - 3), 3);
  SocketPair pair;
  const long before = max_rss_kib();
  Outbox out;
  out.append_file(file, 0, kSize);
  Reader reader(pair.theirs.get(), false);
  const WriteResult result = send_all(out, pair.ours);
  pair.ours.reset();
  reader.join();
  EXPECT_EQ(result.status, Status::done);
  EXPECT_EQ(reader.count(), kSize);
  EXPECT_EQ(reader.bytes().substr(reader.bytes().size() - 3), "end");
  EXPECT_LT(max_rss_kib() - before, 16 * 1024) << "KiB of peak RSS growth";
}

TEST(WriteOutbox, FileCutShortIsAnError) {
  const std::string contents = pattern(256 * 1024);
  const auto file = temp_file(contents);
  SocketPair pair;
  Outbox out;
  out.append("before\n");
  out.append_file(file, 0, contents.size());
  out.append("never sent\n");
  ASSERT_EQ(::ftruncate(file->get(), 100 * 1024), 0);
  Reader reader(pair.theirs.get(), true);
  const WriteResult result = send_all(out, pair.ours);
  pair.ours.reset();
  reader.join();
  EXPECT_EQ(result.status, Status::failed);
  EXPECT_EQ(result.error, EIO);
  EXPECT_TRUE(reader.bytes() == "before\n" + contents.substr(0, 100 * 1024));
}

// Nobody reads at first: the socket fills up mid-file, write_outbox() says so
// and resumes exactly where it stopped once there is room.
TEST(WriteOutbox, WouldBlockThenResume) {
  const std::string contents = pattern(2 * 1024 * 1024);
  const auto file = temp_file(contents);
  SocketPair pair;
  const int small = 64 * 1024;  // well below the share of one write_outbox()
  ::setsockopt(pair.ours.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  Outbox out;
  out.append("<");
  out.append_file(file, 0, contents.size());
  out.append(">");
  const WriteResult first = write_outbox(pair.ours.borrow(), out);
  ASSERT_EQ(first.status, Status::would_block);
  EXPECT_GT(first.sent, 0u);
  EXPECT_LT(first.sent, contents.size());
  EXPECT_EQ(write_outbox(pair.ours.borrow(), out).status, Status::would_block);

  Reader reader(pair.theirs.get(), true);
  const WriteResult rest = send_all(out, pair.ours);
  pair.ours.reset();
  reader.join();
  EXPECT_EQ(rest.status, Status::done);
  EXPECT_TRUE(reader.bytes() == "<" + contents + ">");
}

TEST(WriteOutbox, ClosedPeerIsAnError) {
  SocketPair pair;
  pair.theirs.reset();
  Outbox out;
  out.append("lost");
  const WriteResult result = write_outbox(pair.ours.borrow(), out);
  EXPECT_EQ(result.status, Status::failed);
  EXPECT_EQ(result.error, EPIPE);
}

TEST(ReadSocket, DataEndAndWouldBlock) {
  SocketPair pair;
  char buffer[16];
  EXPECT_EQ(read_socket(pair.ours.borrow(), buffer).status, ReadResult::Status::would_block);
  ASSERT_EQ(::write(pair.theirs.get(), "hello", 5), 5);
  const ReadResult got = read_socket(pair.ours.borrow(), buffer);
  EXPECT_EQ(got.status, ReadResult::Status::data);
  EXPECT_EQ(std::string_view(buffer, got.size), "hello");
  pair.theirs.reset();
  EXPECT_EQ(read_socket(pair.ours.borrow(), buffer).status, ReadResult::Status::end);
}

// Reads other than read_waiting() never wait, even on a blocking socket
// (the poll loop makes the socket blocking for read_waiting()).
TEST(ReadSocket, NeverWaitsOnABlockingSocket) {
  SocketPair pair;
  ::fcntl(pair.ours.get(), F_SETFL, ::fcntl(pair.ours.get(), F_GETFL) & ~O_NONBLOCK);
  char buffer[16];
  EXPECT_EQ(read_socket(pair.ours.borrow(), buffer).status, ReadResult::Status::would_block);
}

TEST(PlainTransport, IsEstablishedAndWaitsForTheObviousReadiness) {
  SocketPair pair;
  PlainTransport transport(pair.ours.borrow());
  EXPECT_TRUE(transport.established());
  EXPECT_EQ(transport.handshake().status, HandshakeResult::Status::done);
  EXPECT_EQ(transport.fd().get(), pair.ours.get());
  EXPECT_EQ(transport.read_needs(), SocketReady::readable);
  EXPECT_EQ(transport.write_needs(), SocketReady::writable);
}

TEST(PlainTransport, ShortReadDrainsAFullOneDoesNot) {
  SocketPair pair;
  PlainTransport transport(pair.ours.borrow());
  char buffer[4];
  EXPECT_EQ(transport.read(buffer).status, ReadResult::Status::would_block);
  ASSERT_EQ(::write(pair.theirs.get(), "hello", 5), 5);
  const ReadResult full = transport.read(buffer);
  EXPECT_EQ(full.status, ReadResult::Status::data);
  EXPECT_EQ(std::string_view(buffer, full.size), "hell");
  EXPECT_FALSE(full.drained);
  const ReadResult rest = transport.read(buffer);
  EXPECT_EQ(std::string_view(buffer, rest.size), "o");
  EXPECT_TRUE(rest.drained);
  pair.theirs.reset();
  EXPECT_EQ(transport.read(buffer).status, ReadResult::Status::end);
}

TEST(PlainTransport, WritesTheOutbox) {
  SocketPair pair;
  PlainTransport transport(pair.ours.borrow());
  Outbox out;
  out.append("hi there");
  const WriteResult wrote = transport.write(out);
  EXPECT_EQ(wrote.status, Status::done);
  EXPECT_EQ(wrote.sent, 8u);
  EXPECT_TRUE(out.empty());
  char buffer[16];
  ASSERT_EQ(::read(pair.theirs.get(), buffer, sizeof buffer), 8);
  EXPECT_EQ(std::string_view(buffer, 8), "hi there");
}

bool blocking(const net::UniqueFd& fd) {
  return (::fcntl(fd.get(), F_GETFL) & O_NONBLOCK) == 0;
}

// Whether the socket's SO_RCVTIMEO is `wanted`, as the kernel keeps it:
// rounded up to its clock tick (at most 10 ms at HZ=100).
::testing::AssertionResult read_timeout_is(const net::UniqueFd& fd, milliseconds wanted) {
  timeval value{};
  socklen_t length = sizeof value;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &value, &length);
  const auto set = std::chrono::microseconds(value.tv_sec * 1'000'000 + value.tv_usec);
  if (wanted.count() == 0 ? set.count() == 0 : set >= wanted && set <= wanted + milliseconds(10))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "SO_RCVTIMEO is " << set.count() << " us, not " << wanted.count() << " ms";
}

TEST(PlainTransport, ReadWaitingTakesWhatCameInABlockingSocket) {
  SocketPair pair;
  PlainTransport transport(pair.ours.borrow());
  ASSERT_EQ(::write(pair.theirs.get(), "ping", 4), 4);
  char buffer[16];
  const ReadResult got = transport.read_waiting(buffer, milliseconds(kWaitMs));
  EXPECT_EQ(got.status, ReadResult::Status::data);
  EXPECT_EQ(std::string_view(buffer, got.size), "ping");
  EXPECT_TRUE(got.drained);
  EXPECT_TRUE(blocking(pair.ours));
  // The other reads still do not wait.
  EXPECT_EQ(transport.read(buffer).status, ReadResult::Status::would_block);
  pair.theirs.reset();
  EXPECT_EQ(transport.read_waiting(buffer, milliseconds(kWaitMs)).status, ReadResult::Status::end);
}

TEST(PlainTransport, ReadWaitingWaitsForTheDataItGets) {
  SocketPair pair;
  PlainTransport transport(pair.ours.borrow());
  std::thread writer([&pair] {
    // Whether this runs before or during the wait, the wait ends with it.
    EXPECT_EQ(::write(pair.theirs.get(), "late", 4), 4);
  });
  char buffer[16];
  const ReadResult got = transport.read_waiting(buffer, milliseconds(kWaitMs));
  writer.join();
  EXPECT_EQ(got.status, ReadResult::Status::data);
  EXPECT_EQ(std::string_view(buffer, got.size), "late");
}

// Nothing comes: the wait ends within the time it was given (its largest
// power of two of milliseconds, rounded up to the kernel's tick).
TEST(PlainTransport, ReadWaitingEndsWithinItsTime) {
  SocketPair pair;
  PlainTransport transport(pair.ours.borrow());
  char buffer[16];
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(transport.read_waiting(buffer, milliseconds(50)).status,
            ReadResult::Status::would_block);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, milliseconds(32));
  EXPECT_LT(waited, milliseconds(kWaitMs));
  EXPECT_TRUE(read_timeout_is(pair.ours, milliseconds(32)));
}

// SO_RCVTIMEO changes a few times as a deadline nears, not for every read.
TEST(PlainTransport, ReadWaitingKeepsItsTimeoutWhileItFits) {
  SocketPair pair;
  PlainTransport transport(pair.ours.borrow());
  char buffer[16];
  const auto wait = [&](milliseconds most) {
    ASSERT_EQ(::write(pair.theirs.get(), "x", 1), 1);
    ASSERT_EQ(transport.read_waiting(buffer, most).status, ReadResult::Status::data);
  };
  wait(milliseconds(1000));
  EXPECT_TRUE(read_timeout_is(pair.ours, milliseconds(512)));
  wait(milliseconds(700));
  EXPECT_TRUE(read_timeout_is(pair.ours, milliseconds(512)));
  wait(milliseconds(2047));
  EXPECT_TRUE(read_timeout_is(pair.ours, milliseconds(512)));
  wait(milliseconds(300));
  EXPECT_TRUE(read_timeout_is(pair.ours, milliseconds(256)));
  wait(milliseconds(5000));  // grown past four times it
  EXPECT_TRUE(read_timeout_is(pair.ours, milliseconds(4096)));
  wait(milliseconds(1));
  EXPECT_TRUE(read_timeout_is(pair.ours, milliseconds(1)));
  wait(milliseconds::max());  // no deadline: no timeout
  EXPECT_TRUE(read_timeout_is(pair.ours, milliseconds(0)));
}

// sendfile(2) cannot be told not to wait: a file range goes out on a
// non-blocking socket, and a full one says would_block, not waits.
TEST(PlainTransport, AFileAfterReadWaitingDoesNotWait) {
  SocketPair pair;
  PlainTransport transport(pair.ours.borrow());
  char buffer[16];
  ASSERT_EQ(::write(pair.theirs.get(), "get", 3), 3);
  ASSERT_EQ(transport.read_waiting(buffer, milliseconds(kWaitMs)).status, ReadResult::Status::data);
  ASSERT_TRUE(blocking(pair.ours));
  Outbox out;
  out.append("bytes first");  // a file range after bytes counts too
  out.append_file(temp_file(std::string(8 << 20, 'f')), 0, 8 << 20);
  const WriteResult wrote = transport.write(out);
  EXPECT_FALSE(blocking(pair.ours));
  EXPECT_EQ(wrote.status, Status::would_block);  // nobody reads
  EXPECT_FALSE(out.empty());
}

}  // namespace
}  // namespace netcook::model
