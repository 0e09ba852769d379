#include "poller.hpp"

#include <cerrno>
#include <system_error>

namespace netcook::bench {

namespace {

constexpr int kMaxEventsPerWait = 256;

} // namespace

Poller::Poller() : fd_(::epoll_create1(EPOLL_CLOEXEC)), events_(kMaxEventsPerWait)
{
    if (!fd_.valid())
        throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

bool Poller::add(int fd, std::uint32_t events, std::uint64_t key) noexcept
{
    epoll_event event{};
    event.events = events;
    event.data.u64 = key;
    return ::epoll_ctl(fd_.get(), EPOLL_CTL_ADD, fd, &event) == 0;
}

bool Poller::modify(int fd, std::uint32_t events, std::uint64_t key) noexcept
{
    epoll_event event{};
    event.events = events;
    event.data.u64 = key;
    return ::epoll_ctl(fd_.get(), EPOLL_CTL_MOD, fd, &event) == 0;
}

void Poller::remove(int fd) noexcept
{
    ::epoll_ctl(fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

std::span<const epoll_event> Poller::wait(int timeout_ms) noexcept
{
    const int n = ::epoll_wait(fd_.get(), events_.data(), static_cast<int>(events_.size()), timeout_ms);
    if (n <= 0)
        return {};
    return {events_.data(), static_cast<std::size_t>(n)};
}

} // namespace netcook::bench
