#include "steady_client.hpp"

#include "client.hpp"
#include "http_reply.hpp"

#include <algorithm>
#include <chrono>

namespace netcook::test {

namespace {
constexpr Timeout kPace{100};
}  // namespace

SteadyClient::SteadyClient(std::uint16_t port, Timeout bound)
    : port_(port), bound_(bound), thread_([this] { run(); }) {}

SteadyClient::~SteadyClient() {
  stop();
}

SteadyResult SteadyClient::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  if (thread_.joinable()) thread_.join();
  return result_;
}

void SteadyClient::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const auto start = Clock::now();
    std::string failure = request();
    const auto took = Clock::now() - start;
    lock.lock();
    ++result_.requests;
    result_.slowest = std::max(result_.slowest, took);
    if (!failure.empty() && result_.failures++ == 0)
      result_.first_failure = "request " + std::to_string(result_.requests) + ": " + failure;
    // The pace, not a synchronisation: stop() ends the wait at once.
    stop_requested_.wait_for(lock, kPace, [this] { return stopping_; });
  }
}

std::string SteadyClient::request() const {
  const Deadline deadline(bound_);
  auto connected = Client::try_connect(port_, deadline.remaining());
  if (!connected.client) return "connect failed, errno " + std::to_string(connected.error);
  auto& client = *connected.client;
  if (client.write_all(http_get("/"), deadline.remaining()) != IoStatus::ok)
    return "request not sent";
  const auto reply = read_reply(client, deadline.remaining());
  if (reply.io != IoStatus::ok)
    return "no whole reply within the bound (" + std::string(to_string(reply.io)) + ")";
  if (reply.status != 200) return "status line " + reply.status_line;
  return {};
}

}  // namespace netcook::test
