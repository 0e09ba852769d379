#pragma once

// Many chat clients connected at once, more than the server can take in:
// each waits its turn in the listen backlog. One poll(2) loop then serves
// them all together: a client reads its greeting, sends its name ("cN"),
// reads its welcome and hangs up, which frees the server's descriptor for
// one still waiting.

#include "client.hpp"
#include "deadline.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace netcook::test {

class ChatQueue {
 public:
  // Connects `count` clients to 127.0.0.1:`port`; throws if one fails.
  ChatQueue(std::uint16_t port, std::size_t count);

  std::size_t size() const { return members_.size(); }
  Client& last() { return members_.back().client; }

  // Serves the clients until all have been welcomed or one fails, or
  // `deadline` passes. Returns how many were welcomed.
  std::size_t run(const Deadline& deadline);
  // What went wrong first (empty if nothing did).
  const std::string& failure() const { return failure_; }

 private:
  enum class Step { greeting, welcome, done };
  struct Member {
    Client client;
    Step step = Step::greeting;
    std::string received;
  };
  // Handles what `member` (number `index`) received; false on a failure.
  bool advance(Member& member, std::size_t index);

  std::vector<Member> members_;
  std::string failure_;
};

}  // namespace netcook::test
