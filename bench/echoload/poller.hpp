#pragma once

#include "unique_fd.hpp"

#include <sys/epoll.h>

#include <cstdint>
#include <span>
#include <vector>

namespace netcook::bench {

/// A level-triggered epoll instance owned by one worker thread. Each
/// registration carries a key (an index into the worker's connection table),
/// never a pointer, so growing or reusing slots cannot leave dangling data.
class Poller {
public:
    Poller(); // throws std::system_error

    /// Per-connection calls report failure as false (errno set), never throw.
    [[nodiscard]] bool add(int fd, std::uint32_t events, std::uint64_t key) noexcept;
    [[nodiscard]] bool modify(int fd, std::uint32_t events, std::uint64_t key) noexcept;
    void remove(int fd) noexcept;

    /// Ready events, valid until the next wait(); empty on timeout or EINTR.
    [[nodiscard]] std::span<const epoll_event> wait(int timeout_ms) noexcept;

private:
    UniqueFd fd_;
    std::vector<epoll_event> events_;
};

} // namespace netcook::bench
