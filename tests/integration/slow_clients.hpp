#pragma once

// Slowloris clients: many connections that each send the start of an HTTP
// request head one byte at a time and never finish it, driven together by
// one poll(2) loop. Records, per connection, when its first byte went out
// and when and how the server ended it (an answer such as 408, end of file
// or a reset), so a test can check each against header_timeout.

#include "client.hpp"
#include "deadline.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace netcook::test {

struct SlowClient {
  Client client;
  Clock::duration period{};        // between two bytes
  Clock::time_point first_byte{};  // when the first byte was sent
  std::size_t bytes_sent = 0;
  std::string answer;                      // what the server sent back, if anything
  std::optional<Clock::time_point> ended;  // first answer byte, end of file or reset
  bool closed = false;                     // end of file or reset seen
};

class SlowClients {
 public:
  // Connects `count` clients to 127.0.0.1:`port`, sending nothing yet.
  // Client i will send a byte every `min_period` + (i % 10) / 10 *
  // (`max_period` - `min_period`). Throws if a connection fails.
  SlowClients(std::uint16_t port, std::size_t count, Timeout min_period, Timeout max_period);

  // Every client sends its first byte, now.
  void start();

  // After start(): trickles bytes and reads answers until every client has been closed by
  // the server, or `deadline` passes. Returns the number still open.
  std::size_t run(const Deadline& deadline);

  const std::vector<SlowClient>& clients() const { return clients_; }

 private:
  // Reads what is there; notes the end of the connection.
  void receive(SlowClient& slow, Clock::time_point now);
  // Sends the next byte if it is due; returns when the next one is due.
  std::optional<Clock::time_point> trickle(SlowClient& slow, Clock::time_point now);

  std::vector<SlowClient> clients_;
};

// A request head that is never finished: longer than any test trickles.
extern const std::string kEndlessHead;

}  // namespace netcook::test
