#include "chat_queue.hpp"

#include <poll.h>

#include <cerrno>
#include <system_error>

namespace netcook::test {
namespace {
const std::string kGreeting = "* welcome to netcookd chat; send your name (/help for commands)\n";
}  // namespace

ChatQueue::ChatQueue(std::uint16_t port, std::size_t count) {
  members_.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    members_.push_back({Client::connect(port), Step::greeting, {}});
}

std::size_t ChatQueue::run(const Deadline& deadline) {
  std::size_t welcomed = 0;
  std::vector<pollfd> polled;
  std::vector<std::size_t> which;
  while (failure_.empty() && welcomed < members_.size() && !deadline.expired()) {
    polled.clear();
    which.clear();
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (members_[i].step == Step::done) continue;
      polled.push_back({members_[i].client.fd(), POLLIN, 0});
      which.push_back(i);
    }
    if (::poll(polled.data(), polled.size(), deadline.poll_ms()) < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "poll");
    for (std::size_t j = 0; j < polled.size() && failure_.empty(); ++j) {
      if (polled[j].revents == 0) continue;
      auto& member = members_[which[j]];
      if (!advance(member, which[j])) break;
      welcomed += member.step == Step::done;
    }
  }
  return welcomed;
}

bool ChatQueue::advance(Member& member, std::size_t index) {
  const std::string who = "client " + std::to_string(index) + ": ";
  const IoStatus status = member.client.read_available(member.received, Timeout{0});
  if (status == IoStatus::timeout) return true;
  if (status != IoStatus::ok) {
    failure_ =
        who + "connection ended (" + to_string(status) + ") after \"" + member.received + "\"";
    return false;
  }
  const std::string name = "c" + std::to_string(index);
  for (auto newline = member.received.find('\n'); newline != std::string::npos;
       newline = member.received.find('\n')) {
    const std::string line = member.received.substr(0, newline + 1);
    member.received.erase(0, newline + 1);
    if (member.step == Step::greeting && line == kGreeting) {
      member.step = Step::welcome;
      if (member.client.write_all(name + "\n", kWait) != IoStatus::ok) {
        failure_ = who + "name not sent";
        return false;
      }
    } else if (member.step == Step::welcome && line.starts_with("* welcome " + name + "@")) {
      member.step = Step::done;
      member.client.shutdown_both();  // the server sees it leave
      return true;
    } else {
      failure_ = who + "unexpected line \"" + line + "\"";
      return false;
    }
  }
  return true;
}

}  // namespace netcook::test
