#pragma once

// Clients that write as fast as the server takes it and never read: each
// sends its chunk over and over with non-blocking sends, all driven by one
// poll(2) loop, until it has sent the byte limit, the server cut it off (a
// send error), or its socket stayed unwritable for the stall time (the
// server pushes back). Every wait is bounded by the deadline.

#include "client.hpp"
#include "deadline.hpp"

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace netcook::test {

enum class FloodEnd {
  running,   // not ended yet (the deadline passed first)
  stalled,   // unwritable for the stall time: backpressure
  cut_off,   // a send failed (reset or closed by the server)
  complete,  // the whole limit went out: nothing pushed back
};
const char* to_string(FloodEnd end);
std::ostream& operator<<(std::ostream& out, FloodEnd end);

struct Flood {
  Client* client;     // not owned; never read from here
  std::string chunk;  // sent again and again
  std::uint64_t sent = 0;
  FloodEnd end = FloodEnd::running;
  int error = 0;  // the failed send's errno, for cut_off
};

// Runs `floods` together until each has ended or `deadline` passes. Calls
// `sample` about every 100 ms meanwhile (e.g. to watch the daemon's memory).
void run_floods(std::vector<Flood>& floods, std::uint64_t limit, Timeout stall,
                const Deadline& deadline, const std::function<void()>& sample = {});

}  // namespace netcook::test
