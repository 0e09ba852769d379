#include "chat_bus.hpp"

#include "config_text.hpp"

#include <gtest/gtest.h>

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <utility>

namespace netcook::test {

std::string make_bus_config(const BusListener& listener) {
  std::string text =
      "log:\n"
      "  level: debug\n"
      "  target: stderr\n"
      "listeners:\n";
  text += "  - name: " + listener.name + "\n";
  text += "    protocol: chat\n";
  text += "    model: " + listener.model + "\n";
  text += "    listen: \"127.0.0.1:0\"\n";
  if (!listener.shutdown_timeout.empty())
    text += "    shutdown_timeout: " + listener.shutdown_timeout + "\n";
  text += "    chat:\n";
  const std::pair<const char*, const std::string*> keys[] = {
      {"room", &listener.room},
      {"bus", &listener.bus},
      {"history", &listener.history},
      {"presence_ttl", &listener.presence_ttl},
      {"bus_outage", &listener.bus_outage},
      {"bus_timeout", &listener.bus_timeout},
      {"bus_queue", &listener.bus_queue},
      {"bus_password_file", &listener.bus_password_file},
      {"rate", &listener.rate},
      {"burst", &listener.burst},
  };
  for (const auto& [key, value] : keys) {
    if (!value->empty()) text += "      " + std::string(key) + ": " + yaml_quote(*value) + "\n";
  }
  return text;
}

std::size_t Talker::count(std::string_view line, std::size_t from) const {
  return static_cast<std::size_t>(
      std::count(lines.begin() + static_cast<std::ptrdiff_t>(std::min(from, lines.size())),
                 lines.end(), line));
}

std::size_t Talker::find(std::string_view line, std::size_t from) const {
  for (std::size_t i = from; i < lines.size(); ++i) {
    if (lines[i] == line) return i;
  }
  return lines.size();
}

void Talker::say(std::string_view text) {
  EXPECT_EQ(client.write_all(text), IoStatus::ok) << name;
}

Talker& Crowd::add(std::string name, std::size_t daemon, std::uint16_t port) {
  auto client = Client::connect(port);
  const std::string greeting = client.read_line();
  EXPECT_EQ(greeting, "* welcome to netcookd chat; send your name (/help for commands)\n")
      << name;
  EXPECT_EQ(client.write_all(name + "\n"), IoStatus::ok) << name;
  talkers_.push_back(Talker{std::move(name), daemon, std::move(client), {}, {}});
  return talkers_.back();
}

bool Crowd::drain(Talker& talker) {
  std::string data;
  const IoStatus status = talker.client.read_available(data, Timeout{0});
  if (status == IoStatus::closed || status == IoStatus::error) return false;
  std::size_t start = 0;
  talker.partial += data;
  for (std::size_t end; (end = talker.partial.find('\n', start)) != std::string::npos;
       start = end + 1) {
    talker.lines.push_back(talker.partial.substr(start, end - start));
  }
  talker.partial.erase(0, start);
  return true;
}

bool Crowd::pump(const Deadline& deadline, const std::function<bool()>& done) {
  std::vector<pollfd> fds(talkers_.size());
  std::vector<bool> open(talkers_.size(), true);
  // What a Client read ahead (its read_line() buffers) is taken first:
  // poll(2) would not see it.
  for (std::size_t i = 0; i < talkers_.size(); ++i) open[i] = drain(talkers_[i]);
  while (!done()) {
    if (deadline.expired()) return false;
    for (std::size_t i = 0; i < talkers_.size(); ++i) {
      fds[i] = {open[i] ? talkers_[i].client.fd() : -1, POLLIN, 0};
    }
    const int ready = ::poll(fds.data(), fds.size(), deadline.poll_ms());
    if (ready < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    for (std::size_t i = 0; i < talkers_.size(); ++i) {
      if (fds[i].revents != 0) open[i] = drain(talkers_[i]);
    }
  }
  return true;
}

void Crowd::pump_until(Clock::time_point until) {
  const Deadline deadline(std::chrono::ceil<Timeout>(until - Clock::now()));
  pump(deadline, [] { return false; });
}

bool Crowd::all_have(const std::function<bool(const std::string&)>& match,
                     const std::vector<std::size_t>& marks) const {
  for (std::size_t i = 0; i < talkers_.size(); ++i) {
    const auto& lines = talkers_[i].lines;
    const std::size_t from = i < marks.size() ? marks[i] : 0;
    if (std::none_of(lines.begin() + static_cast<std::ptrdiff_t>(std::min(from, lines.size())),
                     lines.end(), match))
      return false;
  }
  return true;
}

std::vector<std::size_t> Crowd::marks() const {
  std::vector<std::size_t> marks;
  for (const auto& talker : talkers_) marks.push_back(talker.lines.size());
  return marks;
}

std::string Crowd::describe(std::size_t tail) const {
  std::string text;
  for (const auto& talker : talkers_) {
    text += talker.name + " (daemon " + std::to_string(talker.daemon) + ", " +
            std::to_string(talker.lines.size()) + " lines):";
    const std::size_t from = talker.lines.size() > tail ? talker.lines.size() - tail : 0;
    for (std::size_t i = from; i < talker.lines.size(); ++i) text += " | " + talker.lines[i];
    text += "\n";
  }
  return text;
}

bool says_online(const std::string& line, std::size_t online) {
  const std::string count = std::to_string(online) + " online";
  if (line.starts_with("* welcome ")) return line.find(", " + count + ": ") != std::string::npos;
  return line.find("(" + count + ")") != std::string::npos;
}

}  // namespace netcook::test
