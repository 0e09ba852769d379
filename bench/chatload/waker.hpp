#pragma once

#include "echoload/unique_fd.hpp"

#include <atomic>

namespace netcook::chatload {

/// Wakes one worker's epoll_wait from another thread (an eventfd). Many
/// notify() calls before the worker gets round to clear() cost one write.
class Waker {
public:
    Waker(); // throws std::system_error

    /// The eventfd to watch for EPOLLIN; owned by this object.
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }

    void notify() noexcept;

    /// The worker, on EPOLLIN: consumes the wake-up; notify() writes again after it.
    void clear() noexcept;

private:
    bench::UniqueFd fd_;
    std::atomic<bool> pending_{false};
};

} // namespace netcook::chatload
