#include "echo_load.hpp"

#include <chrono>
#include <utility>

namespace netcook::test {

namespace {

constexpr auto kHeldGap = std::chrono::milliseconds(1);

std::string describe(const Client& client, const std::string& step) {
  std::string text = step + " (" + to_string(client.last_status());
  if (client.last_status() == IoStatus::error)
    text += ", errno " + std::to_string(client.last_error());
  return text + ")";
}

}  // namespace

std::string echo_line(Client& client, const std::string& line, EchoReply reply, std::string* word,
                      Timeout timeout) {
  const Deadline deadline(timeout);
  const std::string sent = line + "\n";
  if (const auto status = client.write_all(sent, deadline.remaining()); status != IoStatus::ok)
    return "write " + std::string(to_string(status));
  const std::string got = client.read_line(deadline.remaining());
  if (client.last_status() != IoStatus::ok) return describe(client, "read");
  if (reply == EchoReply::exact) {
    return got == sent ? "" : "reply '" + got + "' to '" + line + "'";
  }
  const auto space = got.find(' ');
  if (space == 0 || space == std::string::npos ||
      got.compare(space + 1, std::string::npos, sent) != 0)
    return "reply '" + got + "' to '" + line + "'";
  if (word != nullptr) *word = got.substr(0, space);
  return "";
}

// ---- ChurnLoad ----

ChurnLoad::ChurnLoad(std::uint16_t port, ChurnOptions options) : port_(port), options_(options) {
  for (unsigned i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { run(); });
}

std::string ChurnLoad::one_connection(std::uint64_t index) const {
  auto attempt = Client::try_connect(port_);
  if (!attempt.client) return "connect: errno " + std::to_string(attempt.error);
  auto& client = *attempt.client;
  if (auto problem = echo_line(client, "churn " + std::to_string(index), options_.reply);
      !problem.empty())
    return problem;
  client.shutdown_write();
  // The server closes once it has seen our end of file.
  if (const auto status = client.wait_closed(kWait); status != IoStatus::closed)
    return describe(client, "wait for the server's close");
  return "";
}

void ChurnLoad::run() {
  const auto period = options_.per_second == 0
                          ? Clock::duration::zero()
                          : std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)) /
                                options_.per_second;
  while (true) {
    const std::uint64_t index = next_++;
    if (options_.total != 0 && index >= options_.total) return;
    {
      // Pacing, not synchronisation: connection `index` is due at its slot.
      std::unique_lock lock(mutex_);
      const auto due = start_ + period * static_cast<Clock::rep>(index);
      if (changed_.wait_until(lock, due, [this] { return stopping_; })) return;
    }
    std::string problem = one_connection(index);
    std::lock_guard lock(mutex_);
    if (problem.empty()) {
      ++counts_.ok;
    } else if (counts_.failed++ == 0) {
      counts_.first_failure = "connection " + std::to_string(index) + ": " + problem;
    }
    changed_.notify_all();
  }
}

bool ChurnLoad::wait_successes(std::uint64_t more, Timeout timeout) {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = counts_.ok + more;
  return changed_.wait_for(lock, timeout, [&] {
    return counts_.ok >= target || counts_.failed > 0;
  }) && counts_.failed == 0;
}

bool ChurnLoad::wait_done(Timeout timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout,
                           [&] { return counts_.ok + counts_.failed >= options_.total; });
}

LoadCounts ChurnLoad::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  return counts();
}

LoadCounts ChurnLoad::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

// ---- HeldEcho ----

HeldEcho::HeldEcho(Client client, EchoReply reply)
    : client_(std::move(client)), reply_(reply), thread_([this] { run(); }) {}

void HeldEcho::run() {
  for (std::uint64_t n = 0;; ++n) {
    std::string problem = echo_line(client_, "tick " + std::to_string(n), reply_);
    std::unique_lock lock(mutex_);
    if (!problem.empty()) {
      counts_.failed = 1;
      counts_.first_failure = "exchange " + std::to_string(n) + ": " + problem;
      changed_.notify_all();
      return;
    }
    ++counts_.ok;
    changed_.notify_all();
    // Keeps the load modest on a shared machine; stop() cuts the gap short.
    if (changed_.wait_for(lock, kHeldGap, [this] { return stopping_; })) return;
  }
}

std::uint64_t HeldEcho::exchanges() const {
  std::lock_guard lock(mutex_);
  return counts_.ok;
}

bool HeldEcho::wait_past(std::uint64_t count, Timeout timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    return counts_.ok > count || counts_.failed > 0;
  }) && counts_.failed == 0;
}

LoadCounts HeldEcho::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace netcook::test
