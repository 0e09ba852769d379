#pragma once

// Accepts connections for the select loop and turns away those it cannot
// serve, each kind logged once per burst:
// - a connection whose descriptor is at or above FD_SETSIZE (select(2)
//   cannot watch it; it is closed without ever reaching FD_SET),
// - a connection beyond max_connections (sent the protocol's refusal).
// Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM), it stops
// watching the listening socket for a while (50 ms doubling to 1 s) instead
// of spinning on a socket that stays readable.
//
// Used only by the loop thread, or by another thread while the loop is not
// running.

#include "model/burst_log.hpp"
#include "model/connection_count.hpp"
#include "model/driver.hpp"
#include "net/unique_fd.hpp"

#include <chrono>
#include <functional>
#include <optional>

namespace netcook::model::select_model {

class Acceptor {
 public:
  using Clock = std::chrono::steady_clock;
  // Takes a connection whose slot in the ConnectionCount is reserved.
  using Admit = std::function<void(net::UniqueFd, Clock::time_point)>;

  // `listen_fd` is not owned; `settings`, `count` and `refusal` outlive this.
  Acceptor(int listen_fd, const DriverSettings& settings, ConnectionCount& count,
           const std::string& refusal, Admit admit);

  // Makes sure select(2) can watch the listening socket: one at or above
  // FD_SETSIZE is duplicated below it (the duplicate is closed by stop()).
  // Throws when no descriptor below FD_SETSIZE is free.
  void prepare();

  // The descriptor to watch, or -1 once stopped.
  int fd() const noexcept { return accepting_ ? fd_ : -1; }
  // Whether the listening socket belongs in the next read set.
  bool watching(Clock::time_point now) const noexcept { return accepting_ && now >= resume_at_; }
  // When a back-off ends, if one is in progress.
  std::optional<Clock::time_point> resumes_at(Clock::time_point now) const noexcept;

  // The listening socket is readable: accepts a batch.
  void accept_some(Clock::time_point now) noexcept;

  // Never touches the listening socket again.
  void stop() noexcept;

 private:
  void take(net::UniqueFd fd, Clock::time_point now) noexcept;
  void refuse(const net::UniqueFd& fd) noexcept;
  void failed(int error, Clock::time_point now) noexcept;

  int fd_;
  net::UniqueFd low_copy_;  // a duplicate below FD_SETSIZE, when needed
  const DriverSettings& settings_;
  ConnectionCount& count_;
  const std::string& refusal_;
  Admit admit_;
  bool accepting_ = true;
  Clock::time_point resume_at_{};
  Clock::duration backoff_{};
  BurstLog errors_{"accept failed"};
  BurstLog full_{"max_connections reached; refusing connections"};
  BurstLog beyond_ceiling_;
};

}  // namespace netcook::model::select_model
