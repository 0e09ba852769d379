#include "open_all.hpp"

#include <netinet/tcp.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <unordered_map>

namespace netcook::bench {

namespace {

constexpr std::size_t kInFlight = 64;

/// A non-blocking socket bound to source:0 with its connect started; an
/// invalid fd and the errno when that already failed.
UniqueFd start(const Target& target, const in_addr& source, int& error) noexcept
{
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        error = errno;
        return fd;
    }
    // Without it bind() picks the port alone and holds it for every
    // destination, so one source address would stop at the range's size
    // across all targets instead of per target.
    const int one = 1;
    ::setsockopt(fd.get(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr = source;
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0 ||
        (::connect(fd.get(), target.address(), target.length()) != 0 && errno != EINPROGRESS)) {
        error = errno;
        fd.reset();
    }
    return fd;
}

} // namespace

Opened open_all(const Target& target, const in_addr& source, std::size_t count,
                std::chrono::steady_clock::time_point deadline)
{
    Opened opened;
    opened.connections.reserve(count);
    const UniqueFd poll(::epoll_create1(EPOLL_CLOEXEC));
    if (!poll.valid())
        throw std::system_error(errno, std::generic_category(), "epoll_create1");
    std::unordered_map<int, UniqueFd> pending;
    const auto failed = [&](int error) {
        if (opened.failures++ == 0)
            opened.first_error = error;
    };

    std::size_t started = 0;
    while (started < count || !pending.empty()) {
        while (started < count && pending.size() < kInFlight) {
            ++started;
            int error = 0;
            UniqueFd fd = start(target, source, error);
            if (!fd.valid()) {
                failed(error);
                continue;
            }
            epoll_event event{EPOLLOUT, {.fd = fd.get()}};
            ::epoll_ctl(poll.get(), EPOLL_CTL_ADD, fd.get(), &event);
            pending.emplace(fd.get(), std::move(fd));
        }
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            break;
        epoll_event events[kInFlight];
        const int ready = ::epoll_wait(poll.get(), events, kInFlight,
                                       static_cast<int>(std::min<long>(left.count(), 1000)));
        for (int i = 0; i < ready; ++i) {
            const auto found = pending.find(events[i].data.fd);
            if (found == pending.end())
                continue; // cannot happen: only pending connects are registered
            ::epoll_ctl(poll.get(), EPOLL_CTL_DEL, found->first, nullptr);
            if (const int error = connect_result(found->first); error != 0)
                failed(error);
            else
                opened.connections.push_back(std::move(found->second));
            pending.erase(found);
        }
    }
    for (std::size_t i = 0; i < pending.size() + (count - started); ++i)
        failed(ETIMEDOUT);
    return opened;
}

} // namespace netcook::bench
