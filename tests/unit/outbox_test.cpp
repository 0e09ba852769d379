// proto::Outbox as a container: bytes and file ranges come out in the order
// they were appended (pending() bytes, then next_file()), memory is what
// max_outbox counts, and written parts are dropped. Writing to a socket is
// the model's (socket_io_test.cpp).

#include "proto/outbox.hpp"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

namespace netcook::proto {
namespace {

// Any open descriptor will do: the Outbox never reads its files.
std::shared_ptr<const net::UniqueFd> some_file() {
  return std::make_shared<const net::UniqueFd>(::open("/dev/null", O_RDONLY | O_CLOEXEC));
}

TEST(Outbox, PendingAndConsumeStopAtAFileRange) {
  const auto file = some_file();
  Outbox out;
  EXPECT_TRUE(out.empty());
  out.append("ab");
  out.append_file(file, 0, 3);
  out.append("cd");
  EXPECT_EQ(out.pending(), "ab");
  EXPECT_FALSE(out.next_file());
  out.consume(2);
  EXPECT_EQ(out.pending(), "");
  EXPECT_EQ(out.size(), 2u);
  EXPECT_FALSE(out.empty());
  out.clear();
  EXPECT_TRUE(out.empty());
}

// file_after_pending() shows the range behind the bytes before it (a
// writer sending both at once); next_file() only once they are written.
TEST(Outbox, TheFileAfterThePendingBytes) {
  const auto file = some_file();
  Outbox out;
  EXPECT_FALSE(out.file_after_pending());
  out.append("head");
  EXPECT_FALSE(out.file_after_pending());
  out.append_file(file, 10, 3);
  const auto after = out.file_after_pending();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->offset, 10);
  EXPECT_EQ(after->length, 3u);
  EXPECT_FALSE(out.next_file());
  out.consume(4);
  ASSERT_TRUE(out.next_file());
  out.consume_file(3);
  EXPECT_FALSE(out.file_after_pending());
  EXPECT_TRUE(out.empty());
}

// take_pending() lends what pending() shows, without a copy when it is all
// the Outbox holds; the lent bytes count until they landed(); the bytes
// after a file range stay.
TEST(Outbox, TakePending) {
  Outbox out;
  out.append("hello ");
  out.append("world");
  const char* storage = out.pending().data();
  const std::string taken = out.take_pending();
  EXPECT_EQ(taken, "hello world");
  EXPECT_EQ(taken.data(), storage);  // moved, not copied
  EXPECT_EQ(out.pending(), "");
  EXPECT_FALSE(out.empty());  // in flight
  EXPECT_EQ(out.size(), 11u);
  EXPECT_EQ(out.in_flight(), 11u);
  EXPECT_EQ(out.appended(), 11u);
  out.append("more");
  EXPECT_EQ(out.pending(), "more");
  EXPECT_EQ(out.size(), 15u);
  out.landed(5);
  EXPECT_EQ(out.size(), 10u);
  out.landed(100);  // never below nothing
  EXPECT_EQ(out.in_flight(), 0u);
  EXPECT_EQ(out.size(), 4u);
  EXPECT_EQ(out.take_pending(), "more");
  out.clear();  // the connection goes: what was lent stops counting
  EXPECT_TRUE(out.empty());

  const auto file = some_file();
  Outbox mixed;
  mixed.append("head");
  mixed.append_file(file, 0, 3);
  mixed.append("tail");
  EXPECT_EQ(mixed.take_pending(), "head");
  EXPECT_EQ(mixed.pending(), "");
  ASSERT_TRUE(mixed.next_file());
  mixed.consume_file(3);
  EXPECT_EQ(mixed.take_pending(), "tail");
  mixed.landed(8);
  EXPECT_TRUE(mixed.empty());
}

// appended() counts what was queued, file ranges included, and is not
// undone by writing or dropping it.
TEST(Outbox, AppendedCountsEveryByteQueued) {
  Outbox out;
  EXPECT_EQ(out.appended(), 0u);
  out.append("head\r\n");
  out.append('x');
  out.append_file(some_file(), 10, 1000);
  out.append_file(some_file(), 0, 0);  // nothing
  EXPECT_EQ(out.appended(), 1007u);
  out.consume(out.pending().size());
  out.consume_file(1000);
  out.append("y");
  out.clear();
  EXPECT_EQ(out.appended(), 1008u);
}

TEST(Outbox, FileRangesComeInTheirPlace) {
  const auto file = some_file();
  Outbox out;
  out.append("head");
  out.append_file(file, 100, 10);
  out.append_file(file, 5, 0);  // empty: nothing to send
  out.append("tail");
  EXPECT_EQ(out.size(), 8u);  // files hold no memory
  out.consume(4);
  const auto first = out.next_file();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->file, file->borrow());
  EXPECT_EQ(first->offset, 100);
  EXPECT_EQ(first->length, 10u);
  EXPECT_FALSE(first->copy);
  out.consume_file(4);
  const auto rest = out.next_file();
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->offset, 104);
  EXPECT_EQ(rest->length, 6u);
  out.copy_next_file();
  EXPECT_TRUE(out.next_file()->copy);
  out.consume_file(6);
  EXPECT_FALSE(out.next_file());
  EXPECT_EQ(out.pending(), "tail");
  out.consume(4);
  EXPECT_TRUE(out.empty());
}

// A slow reader's written bytes are dropped from the front without
// disturbing what follows them, file ranges included.
TEST(Outbox, ConsumingInSmallStepsKeepsTheOrder) {
  const auto file = some_file();
  const std::string bytes(64 * 1024, 'x');
  Outbox out;
  out.append(bytes);
  out.append_file(file, 0, 1);
  out.append("after");
  std::size_t taken = 0;
  while (!out.pending().empty()) {
    const std::size_t step = std::min<std::size_t>(out.pending().size(), 1000);
    out.consume(step);
    taken += step;
  }
  EXPECT_EQ(taken, bytes.size());
  ASSERT_TRUE(out.next_file());
  out.consume_file(1);
  EXPECT_EQ(out.pending(), "after");
}

// Cut short, the stream ends with the line being written: what follows its
// LF goes, file ranges included; without an LF nothing goes.
TEST(Outbox, CutAfterKeepsTheLineBeingWritten) {
  Outbox out;
  out.append("first line\nsecond\n");
  out.append_file(some_file(), 0, 5);
  out.append("third\n");
  out.consume(3);
  out.cut_after('\n');
  EXPECT_EQ(out.pending(), "st line\n");
  EXPECT_EQ(out.size(), 8u);
  out.consume(8);
  EXPECT_TRUE(out.empty());

  out.append("no end");
  out.cut_after('\n');
  EXPECT_EQ(out.pending(), "no end");
}

}  // namespace
}  // namespace netcook::proto
