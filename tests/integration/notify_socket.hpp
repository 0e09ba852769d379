#pragma once

// A stand-in for systemd's notification socket: an AF_UNIX datagram socket
// bound in a temp dir, whose path the daemon gets as $NOTIFY_SOCKET. Each
// sd_notify() call arrives as one datagram ("READY=1\nSTATUS=...").

#include "deadline.hpp"
#include "unique_fd.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace netcook::test {

struct Notification {
  std::string text;              // the datagram, as sent
  Clock::time_point received{};  // when the test read it
  // The value of `name` ("READY", "STATUS", ...) in it, if present.
  std::optional<std::string> field(std::string_view name) const;
};

class NotifySocket {
 public:
  // Binds at `path`; throws on failure.
  explicit NotifySocket(std::string path);

  // "NOTIFY_SOCKET=<path>", for the daemon's environment.
  std::string env() const { return "NOTIFY_SOCKET=" + path_; }

  // The next datagram, or nullopt after `timeout`.
  std::optional<Notification> next(Timeout timeout = kWait);

  // The next datagram that has field `name` (with `value`, if given);
  // datagrams before it are skipped. nullopt after `timeout`.
  std::optional<Notification> wait_for(std::string_view name,
                                       std::optional<std::string_view> value = std::nullopt,
                                       Timeout timeout = kWait);

 private:
  std::string path_;
  UniqueFd fd_;
};

}  // namespace netcook::test
