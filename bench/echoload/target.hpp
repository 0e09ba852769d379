#pragma once

#include "unique_fd.hpp"

#include <sys/socket.h>

#include <string>
#include <string_view>

namespace netcook::bench {

/// The echo server's address. Only loopback TCP and unix sockets can be
/// expressed: a load test must never leave the machine.
class Target {
public:
    /// Accepts 127.x.x.x:PORT, [::1]:PORT, unix:/path and unix:@abstract;
    /// throws UsageError for anything else, including host names.
    [[nodiscard]] static Target parse(std::string_view text);

    [[nodiscard]] bool is_tcp() const noexcept { return storage_.ss_family != AF_UNIX; }
    [[nodiscard]] int family() const noexcept { return storage_.ss_family; }
    [[nodiscard]] const sockaddr* address() const noexcept
    {
        return reinterpret_cast<const sockaddr*>(&storage_);
    }
    [[nodiscard]] socklen_t length() const noexcept { return length_; }

private:
    sockaddr_storage storage_{};
    socklen_t length_ = 0;
};

enum class ConnectStatus {
    connected,   // usable now (typical for unix sockets)
    in_progress, // wait for EPOLLOUT, then ask connect_result()
    busy,        // unix listener backlog full (EAGAIN): try again later
    failed,      // see error
};

struct ConnectAttempt {
    UniqueFd fd; // owns the socket unless status is failed
    ConnectStatus status = ConnectStatus::failed;
    int error = 0;
};

/// Starts a non-blocking connect; never throws, failures are values.
[[nodiscard]] ConnectAttempt start_connect(const Target& target) noexcept;

/// After EPOLLOUT on an in-progress connect: 0 when connected, else errno.
[[nodiscard]] int connect_result(int fd) noexcept;

} // namespace netcook::bench
