#pragma once

// Chat rooms shared by several daemons through one Redis (issue 20): the
// configuration of a daemon whose chat listener is a bus member, and a
// crowd of members on several daemons read all together by one poll(2)
// loop, each member's lines kept for the test to compare (who got what, in
// which order). Every wait is bounded by a Deadline; nothing sleeps.

#include "client.hpp"
#include "deadline.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::test {

// One chat listener on a bus; every empty field is left out of the file,
// so the daemon's default applies.
struct BusListener {
  std::string name = "room";
  std::string model = "epoll";
  std::string bus = "";  // "redis://127.0.0.1:PORT/0" or "redis+unix:///PATH"
  std::string room = "lobby";
  std::string history = "";
  std::string presence_ttl = "";
  std::string bus_outage = "";
  std::string bus_timeout = "";
  std::string bus_queue = "";
  std::string bus_password_file = "";
  std::string rate = "";  // flood control: "100/s", "unlimited"
  std::string burst = "";
  std::string shutdown_timeout = "";  // the listener's, on SIGTERM
};

// A whole configuration file: debug log on stderr (what Daemon reads) and
// the one listener.
std::string make_bus_config(const BusListener& listener);

// A member of a crowd: its name, the daemon it is on (the test's index),
// its connection, and every complete line it has received since it was
// added, without the '\n'.
struct Talker {
  std::string name;
  std::size_t daemon = 0;
  Client client;
  std::vector<std::string> lines;
  std::string partial;  // a line not complete yet

  // How many received lines at index >= `from` equal `line`.
  std::size_t count(std::string_view line, std::size_t from = 0) const;
  // The index of the first received line at index >= `from` equal to
  // `line`, or lines.size().
  std::size_t find(std::string_view line, std::size_t from = 0) const;
  void say(std::string_view text);
};

class Crowd {
 public:
  // Connects a member to 127.0.0.1:`port`, reads the greeting, and sends
  // its name; does not wait for the welcome (pump() reads it).
  Talker& add(std::string name, std::size_t daemon, std::uint16_t port);

  // Reads what every member receives until `done()` holds (checked after
  // each read, and first of all) or `deadline` passes. Returns done().
  bool pump(const Deadline& deadline, const std::function<bool()>& done);
  // Reads what comes until `until`, whatever it is: a bounded wait during
  // which the test then checks what (if anything) arrived.
  void pump_until(Clock::time_point until);

  std::deque<Talker>& talkers() { return talkers_; }
  Talker& operator[](std::size_t i) { return talkers_[i]; }
  std::size_t size() const { return talkers_.size(); }

  // Whether every member has a line at index >= its mark in `marks` (or 0)
  // for which `match` holds.
  bool all_have(const std::function<bool(const std::string&)>& match,
                const std::vector<std::size_t>& marks = {}) const;
  // Every member's lines.size(), to look only at what comes later.
  std::vector<std::size_t> marks() const;

  // One line per member: its name and its last `tail` lines, for failure
  // messages.
  std::string describe(std::size_t tail = 5) const;

 private:
  // Moves what `talker` has received into its lines; false on end of file
  // or error.
  bool drain(Talker& talker);

  std::deque<Talker> talkers_;  // a deque keeps references valid
};

// Whether `line` ends in "N online" (a welcome) or "(N online)" (a join or
// a leave) for this N: the room's count as the member last heard it.
bool says_online(const std::string& line, std::size_t online);

}  // namespace netcook::test
