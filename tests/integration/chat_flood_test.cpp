// Chat flood control through the real daemon, once per model: a member
// who pastes 200 lines with `chat: {rate: 100/s, burst: 20}` is slowed,
// not cut off, and nothing is lost. The others get every line once, in
// order, the first 20 at once and the rest no sooner than the rate allows,
// while a third member's line is not held up behind the paste. About two
// seconds a model: the time is what is tested, measured, never slept.

#include "chat_room.hpp"
#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "deadline.hpp"
#include "models.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>

namespace netcook::test {
namespace {

using namespace std::chrono_literals;

constexpr int kLines = 200;
constexpr int kRate = 100;  // lines a second
constexpr int kBurst = 20;

class ChatFlood : public ::testing::TestWithParam<std::string> {};

TEST_P(ChatFlood, APasteReachesTheRoomAtTheRateInOrderAndWholly) {
  Daemon daemon(make_chat_config({{.name = "room",
                                   .model = GetParam(),
                                   .rate = std::to_string(kRate) + "/s",
                                   .burst = std::to_string(kBurst)}}));
  const auto port = daemon.port_of("room");
  Room room;
  join(room, port, "paster");
  join(room, port, "reader");
  join(room, port, "other");
  ASSERT_FALSE(HasFailure());
  auto& paster = room[0];
  auto& reader = room[1];
  auto& other = room[2];

  std::string paste;
  for (int n = 0; n < kLines; ++n) paste += "paste " + std::to_string(n) + "\n";
  const auto pasted = std::chrono::steady_clock::now();
  paster.say(paste);
  const Deadline deadline(kLongWait);
  int next = 0;          // the paste line the reader expects next
  int other_after = -1;  // paste lines the reader had before the other's line
  while (next < kLines) {
    const std::string line = next_line(reader.client, deadline.remaining());
    if (line == "[other@127.0.0.1] between the lines\n") {
      other_after = next;
      continue;
    }
    ASSERT_EQ(line, "[paster@127.0.0.1] paste " + std::to_string(next) + "\n");
    // The paste has begun: the other member speaks now.
    if (++next == 1) other.say("between the lines\n");
  }
  const auto elapsed = std::chrono::steady_clock::now() - pasted;
  EXPECT_GE(other_after, 1) << "the other member's line waited for the whole paste";
  EXPECT_EQ(next_line(paster.client), "[other@127.0.0.1] between the lines\n");
  for (int n = 0; n < kLines; ++n) {
    ASSERT_EQ(next_line(other.client, deadline.remaining()),
              "[paster@127.0.0.1] paste " + std::to_string(n) + "\n");
  }
  // The paster's name line took a token when it joined; the burst at once,
  // then a line every 1/rate, so the last no sooner than this after the
  // write (the daemon read it after).
  const auto least = std::chrono::milliseconds(1000 * (kLines - kBurst) / kRate);
  EXPECT_GE(elapsed, least - 5ms);
  EXPECT_LT(elapsed, least + 10s) << "the paste stalled";
  std::cout << "[ info     ] " << kLines << " lines at " << kRate << "/s after a burst of "
            << kBurst << ": the last after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms\n";
  // Slowed, not cut off: the paster is still in the room, nothing pending.
  expect_nothing_pending(room);
  EXPECT_FALSE(daemon.find_line("chat: paster left")) << "the paster was disconnected";
}

INSTANTIATE_TEST_SUITE_P(Models, ChatFlood, kAllModels, model_name);

}  // namespace
}  // namespace netcook::test
