#include "target.hpp"

#include "usage_error.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>

namespace netcook::bench {

namespace {

[[noreturn]] void refuse(std::string_view text, std::string_view why)
{
    throw UsageError("refusing target '" + std::string(text) + "': " + std::string(why) +
                     " (allowed: 127.x.x.x:PORT, [::1]:PORT, unix:/path)");
}

in_port_t parse_port(std::string_view whole, std::string_view text)
{
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc{} || end != text.data() + text.size() || port < 1 || port > 65535)
        refuse(whole, "bad port");
    return htons(static_cast<in_port_t>(port));
}

bool is_loopback_v6(const in6_addr& a) noexcept
{
    if (IN6_IS_ADDR_LOOPBACK(&a))
        return true;
    // ::ffff:127.x.x.x reaches the IPv4 loopback through a dual-stack socket.
    return IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127;
}

} // namespace

Target Target::parse(std::string_view text)
{
    Target target;
    if (text.starts_with("unix:")) {
        auto path = text.substr(5);
        sockaddr_un un{};
        un.sun_family = AF_UNIX;
        if (path.empty() || path.size() >= sizeof(un.sun_path))
            refuse(text, "unix socket path empty or too long");
        std::memcpy(un.sun_path, path.data(), path.size());
        if (path.front() == '@')
            un.sun_path[0] = '\0'; // abstract namespace: no trailing NUL, exact length
        else if (path.front() != '/')
            refuse(text, "unix socket path must be absolute or @abstract");
        target.length_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                                (path.front() == '@' ? 0 : 1));
        std::memcpy(&target.storage_, &un, sizeof(un));
        return target;
    }

    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        refuse(text, "no port");
    auto host = std::string(text.substr(0, colon));
    const auto port = parse_port(text, text.substr(colon + 1));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        sockaddr_in6 in6{};
        in6.sin6_family = AF_INET6;
        in6.sin6_port = port;
        if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &in6.sin6_addr) != 1)
            refuse(text, "not a numeric IPv6 address");
        if (!is_loopback_v6(in6.sin6_addr))
            refuse(text, "not a loopback address");
        std::memcpy(&target.storage_, &in6, sizeof(in6));
        target.length_ = sizeof(in6);
        return target;
    }
    sockaddr_in in4{};
    in4.sin_family = AF_INET;
    in4.sin_port = port;
    if (inet_pton(AF_INET, host.c_str(), &in4.sin_addr) != 1)
        refuse(text, "not a numeric IPv4 address (host names are not resolved)");
    if ((ntohl(in4.sin_addr.s_addr) >> 24) != 127)
        refuse(text, "not a loopback address");
    std::memcpy(&target.storage_, &in4, sizeof(in4));
    target.length_ = sizeof(in4);
    return target;
}

ConnectAttempt start_connect(const Target& target) noexcept
{
    ConnectAttempt attempt;
    attempt.fd = UniqueFd(::socket(target.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!attempt.fd.valid()) {
        attempt.error = errno;
        return attempt;
    }
    if (target.is_tcp()) {
        // Without it Nagle holds back small pingpong messages and the
        // measured latency is the delayed-ACK timer, not the server.
        const int one = 1;
        ::setsockopt(attempt.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    if (::connect(attempt.fd.get(), target.address(), target.length()) == 0) {
        attempt.status = ConnectStatus::connected;
        return attempt;
    }
    attempt.error = errno;
    if (attempt.error == EINPROGRESS) {
        attempt.status = ConnectStatus::in_progress;
    } else if (attempt.error == EAGAIN && !target.is_tcp()) {
        attempt.status = ConnectStatus::busy;
        attempt.fd.reset();
    } else {
        attempt.status = ConnectStatus::failed;
        attempt.fd.reset();
    }
    return attempt;
}

int connect_result(int fd) noexcept
{
    int error = 0;
    socklen_t length = sizeof(error);
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0)
        return errno;
    return error;
}

} // namespace netcook::bench
