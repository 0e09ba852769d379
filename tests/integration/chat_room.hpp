#pragma once

// Members of one chat room, driven in lockstep over real sockets: each
// helper checks the exact lines the chat protocol (netcookd.yaml(5)) promises
// and records a failure (EXPECT) instead of throwing, so a test goes on to
// say more. Every read is bounded by a timeout.

#include "client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::test {

// The next line with its '\n'; otherwise what came, tagged with the status,
// so that a mismatch tells a timeout from a close.
inline std::string next_line(Client& client, Timeout timeout = kWait) {
  std::string line = client.read_line(timeout);
  if (line.empty() || line.back() != '\n') {
    line += "<" + std::string(to_string(client.last_status())) + ">";
  }
  return line;
}

// A joined member: its current name (tests update it after a /nick), the
// host the server shows for it, and its connection.
struct Member {
  std::string name;
  std::string host;
  Client client;
  std::string at() const { return name + "@" + host; }
  void say(std::string_view text) { EXPECT_EQ(client.write_all(text), IoStatus::ok) << name; }
};

// Members in join order; a deque keeps references valid as members join.
using Room = std::deque<Member>;

inline std::string roster(const Room& room) {
  std::string names;
  for (const auto& member : room) names += (names.empty() ? "" : ", ") + member.name;
  return names;
}

inline std::string online(const Room& room) {
  return std::to_string(room.size()) + " online";
}

// Connects and reads the greeting.
inline Client connect_greeted(std::uint16_t port, const ConnectOptions& options = {}) {
  auto client = Client::connect(port, options);
  const auto greeting = next_line(client);
  EXPECT_TRUE(greeting.starts_with("* ") && greeting.ends_with("\n")) << greeting;
  return client;
}

// `client` sends `line` (its name line) and joins `room` as `name`: checks
// its welcome and every earlier member's "joined" line.
inline Member& admit(Room& room, Client client, const std::string& name, const std::string& host,
                     std::string_view line, Timeout timeout = kWait) {
  EXPECT_EQ(client.write_all(line), IoStatus::ok);
  room.push_back({name, host, std::move(client)});
  auto& member = room.back();
  EXPECT_EQ(next_line(member.client, timeout),
            "* welcome " + member.at() + ", " + online(room) + ": " + roster(room) + "\n");
  for (auto& other : room) {
    if (&other == &member) continue;
    EXPECT_EQ(next_line(other.client, timeout),
              "* " + member.at() + " joined (" + online(room) + ")\n")
        << "at " << other.name;
  }
  return member;
}

inline Member& join(Room& room, std::uint16_t port, const std::string& name,
                    const ConnectOptions& options = {}) {
  return admit(room, connect_greeted(port, options), name, options.host, name + "\n");
}

// `member`, just admitted, gets the room's last lines (`lines`, oldest
// first, each with its LF) as its history block.
inline void expect_history(Member& member, const std::vector<std::string>& lines) {
  const std::string count = std::to_string(lines.size()) + (lines.size() == 1 ? " line" : " lines");
  EXPECT_EQ(next_line(member.client), "* history: " + count + "\n") << "at " << member.name;
  for (const auto& line : lines) EXPECT_EQ(next_line(member.client), line) << "at " << member.name;
  EXPECT_EQ(next_line(member.client), "* end of history\n") << "at " << member.name;
}

// Every member asks /who and must get the answer as its next line: nothing
// else was pending for anyone.
inline void expect_nothing_pending(Room& room) {
  const std::string who = "* " + online(room) + ": " + roster(room) + "\n";
  for (auto& member : room) {
    member.say("/who\n");
    EXPECT_EQ(next_line(member.client), who) << "at " << member.name;
  }
}

// Every member but `except` gets `line` next.
inline void expect_others_get(Room& room, const Member& except, const std::string& line) {
  for (auto& member : room) {
    if (&member == &except) continue;
    EXPECT_EQ(next_line(member.client), line) << "at " << member.name;
  }
}

// The member named `name` leaves `room` (its Client is closed); the others
// must get its "left" line, which ends in ": <reason>" when it gave one.
inline void expect_left(Room& room, const std::string& name, const std::string& reason = {}) {
  const auto it = std::find_if(room.begin(), room.end(),
                               [&](const Member& member) { return member.name == name; });
  ASSERT_NE(it, room.end()) << name;
  const std::string line = "* " + it->at() + " left (" + std::to_string(room.size() - 1) +
                           " online)" + (reason.empty() ? "" : ": " + reason) + "\n";
  room.erase(it);
  for (auto& member : room) EXPECT_EQ(next_line(member.client), line) << "at " << member.name;
}

}  // namespace netcook::test
