#include "check.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <random>
#include <string>

namespace netcook::bench {

namespace {

/// True when @p message came back whole and unchanged within @p timeout_ms.
bool round_trip(int fd, const std::string& message, int timeout_ms)
{
    if (::send(fd, message.data(), message.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(message.size()))
        return false; // a few bytes into an empty socket buffer always fit
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string echoed;
    while (echoed.size() < message.size()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd wanted{fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&wanted, 1, static_cast<int>(left.count())) <= 0)
            return false;
        std::array<char, 64> buffer;
        const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (got <= 0)
            return false;
        echoed.append(buffer.data(), static_cast<std::size_t>(got));
    }
    return echoed == message;
}

std::size_t count_dropped(const std::vector<UniqueFd>& connections)
{
    std::vector<pollfd> all;
    all.reserve(connections.size());
    for (const auto& fd : connections)
        all.push_back({fd.get(), POLLRDHUP, 0});
    if (::poll(all.data(), all.size(), 0) < 0)
        return connections.size();
    return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [](const pollfd& p) {
        return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
    }));
}

} // namespace

Liveness check(const std::vector<UniqueFd>& connections, std::size_t sample, std::uint32_t seed,
               int timeout_ms)
{
    Liveness result;
    std::mt19937 random(seed);
    std::vector<std::size_t> chosen(connections.size());
    for (std::size_t i = 0; i < chosen.size(); ++i)
        chosen[i] = i;
    std::shuffle(chosen.begin(), chosen.end(), random);
    chosen.resize(std::min(sample, chosen.size()));
    for (const std::size_t i : chosen) {
        ++result.sampled;
        if (round_trip(connections[i].get(), "hold " + std::to_string(i) + "\n", timeout_ms))
            ++result.live;
    }
    result.dropped = count_dropped(connections);
    return result;
}

} // namespace netcook::bench
