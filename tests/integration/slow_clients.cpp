#include "slow_clients.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>

namespace netcook::test {

const std::string kEndlessHead =
    "GET /slowly HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slowloris, one byte at a time\r\n"
    "Accept: */*\r\nX-Padding: this head is never finished, however long the server waits";

SlowClients::SlowClients(std::uint16_t port, std::size_t count, Timeout min_period,
                         Timeout max_period) {
  clients_.reserve(count);
  const auto spread = max_period - min_period;
  for (std::size_t i = 0; i < count; ++i) {
    clients_.push_back({.client = Client::connect(port),
                        .period = min_period + spread * static_cast<long>(i % 10) / 10,
                        .first_byte = {},
                        .bytes_sent = 0,
                        .answer = {},
                        .ended = std::nullopt,
                        .closed = false});
  }
}

void SlowClients::start() {
  for (auto& slow : clients_) {
    slow.first_byte = Clock::now();
    if (slow.client.write_all(kEndlessHead.substr(0, 1), Timeout{0}) != IoStatus::ok)
      throw std::runtime_error("a slow client could not send its first byte");
    slow.bytes_sent = 1;
  }
}

std::size_t SlowClients::run(const Deadline& deadline) {
  std::vector<pollfd> polled;
  std::vector<SlowClient*> open;
  while (true) {
    const auto now = Clock::now();
    polled.clear();
    open.clear();
    auto wake = now + std::chrono::milliseconds(100);
    for (auto& slow : clients_) {
      if (slow.closed) continue;
      if (const auto due = trickle(slow, now)) wake = std::min(wake, *due);
      polled.push_back({slow.client.fd(), POLLIN, 0});
      open.push_back(&slow);
    }
    if (open.empty() || deadline.expired()) return open.size();
    const auto until_wake = std::chrono::ceil<Timeout>(wake - now).count();
    const int wait = static_cast<int>(std::clamp<long>(until_wake, 0, deadline.poll_ms()));
    if (::poll(polled.data(), polled.size(), wait) < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "poll");
    const auto woke = Clock::now();
    for (std::size_t i = 0; i < polled.size(); ++i)
      if (polled[i].revents != 0) receive(*open[i], woke);
  }
}

void SlowClients::receive(SlowClient& slow, Clock::time_point now) {
  const IoStatus status = slow.client.read_available(slow.answer, Timeout{0});
  if (status == IoStatus::timeout) return;  // woken for nothing
  if (!slow.ended) slow.ended = now;
  // ok: an answer (the connection ends after it); closed or error (a
  // reset): the end itself.
  slow.closed = status != IoStatus::ok;
}

std::optional<Clock::time_point> SlowClients::trickle(SlowClient& slow, Clock::time_point now) {
  if (slow.ended || slow.bytes_sent >= kEndlessHead.size()) return std::nullopt;
  const auto due = slow.first_byte + slow.period * static_cast<long>(slow.bytes_sent);
  if (due > now) return due;
  // A failure means the server has closed: the read side will tell.
  slow.client.write_all(kEndlessHead.substr(slow.bytes_sent, 1), Timeout{0});
  ++slow.bytes_sent;
  return due + slow.period;
}

}  // namespace netcook::test
