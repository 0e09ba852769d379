#include "client_set.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <limits>
#include <system_error>
#include <utility>

namespace netcook::chatload {

namespace {

using bench::Clock;

// Connections per worker that the server may not have accepted yet: a ramp,
// so a small listen backlog is not overrun. A connect completes once the
// kernel queues the connection; only the server's first bytes (a greeting,
// ncat's announcement) say it was accepted. ncat listens with a backlog of
// 10 and accepts slowly: counting only connects not yet completed, even 8
// overran it, SYNs were dropped and retried after 1, 3, 7 s, and 200
// clients took 18 s to join instead of half a second.
constexpr unsigned kMaxConnectsInFlight = 8;
constexpr std::size_t kReadBuffer = std::size_t{256} << 10;
// A longer line is a broken server (ncat's roster of 1000 clients is ~30 KB).
constexpr std::size_t kMaxLine = std::size_t{1} << 20;
constexpr std::uint64_t kWakeKey = std::numeric_limits<std::uint64_t>::max();

} // namespace

ClientSet::ClientSet(const std::vector<bench::Target>& targets, const std::vector<unsigned>& ids,
                     Handshake handshake, unsigned senders, int wake_fd)
    : targets_(targets), buffer_(kReadBuffer)
{
    clients_.reserve(ids.size());
    for (const unsigned id : ids)
        clients_.emplace_back(id, handshake, senders);
    if (!poller_.add(wake_fd, EPOLLIN, kWakeKey))
        throw std::system_error(errno, std::generic_category(), "epoll_ctl(eventfd)");
}

void ClientSet::tend_connects()
{
    while (in_flight_ < kMaxConnectsInFlight && next_idle_ < clients_.size()) {
        start_connect(clients_[next_idle_], next_idle_);
        ++next_idle_;
    }
}

void ClientSet::start_connect(Client& client, std::size_t index)
{
    auto attempt = bench::start_connect(targets_[client.id % targets_.size()]);
    client.fd = std::move(attempt.fd);
    switch (attempt.status) {
    case bench::ConnectStatus::connected:
        client.phase = Client::Phase::open;
        ++in_flight_;
        if (poller_.add(client.fd.get(), EPOLLIN, index)) {
            pending_connected_.push_back(index);
        } else {
            pending_failed_.push_back({index, errno});
            close(client);
        }
        return;
    case bench::ConnectStatus::in_progress:
        client.phase = Client::Phase::connecting;
        ++in_flight_;
        if (!poller_.add(client.fd.get(), EPOLLOUT, index)) {
            pending_failed_.push_back({index, errno});
            close(client);
        }
        return;
    case bench::ConnectStatus::busy:
        attempt.error = EAGAIN;
        [[fallthrough]];
    case bench::ConnectStatus::failed:
        client.phase = Client::Phase::failed;
        pending_failed_.push_back({index, attempt.error});
        return;
    }
}

void ClientSet::poll(int timeout_ms, ClientEvents& events)
{
    report_pending(events);
    for (const auto& event : poller_.wait(timeout_ms)) {
        if (event.data.u64 == kWakeKey) {
            events.on_woken();
            continue;
        }
        auto& client = clients_[event.data.u64];
        if (client.phase == Client::Phase::connecting) {
            on_connect_ready(client, events);
            continue;
        }
        if (client.open() && (event.events & EPOLLOUT) != 0)
            flush(client, events);
        if (client.open() && (event.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0)
            on_readable(client, events);
    }
}

void ClientSet::report_pending(ClientEvents& events)
{
    for (const auto index : std::exchange(pending_connected_, {}))
        events.on_connected(clients_[index]);
    for (const auto& [index, error] : std::exchange(pending_failed_, {}))
        events.on_failed(clients_[index], "connect", error);
}

void ClientSet::on_connect_ready(Client& client, ClientEvents& events)
{
    client.phase = Client::Phase::open;
    if (const int error = bench::connect_result(client.fd.get()); error != 0)
        return fail(client, "connect", error, events);
    if (!poller_.modify(client.fd.get(), EPOLLIN, index_of(client)))
        return fail(client, "epoll_ctl", errno, events);
    events.on_connected(client);
}

void ClientSet::on_readable(Client& client, ClientEvents& events)
{
    const auto n = ::recv(client.fd.get(), buffer_.data(), buffer_.size(), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n < 0)
        return fail(client, "recv", errno, events);
    if (n == 0)
        return fail(client, "server closed the connection", 0, events);
    if (!client.heard) {
        client.heard = true;
        --in_flight_;
    }
    split_lines(client, {buffer_.data(), static_cast<std::size_t>(n)}, Clock::now(), events);
}

void ClientSet::split_lines(Client& client, std::string_view data, Clock::time_point now, ClientEvents& events)
{
    if (!client.partial.empty()) {
        const auto newline = data.find('\n');
        client.partial.append(data.substr(0, newline));
        if (newline == std::string_view::npos)
            data = {};
        else {
            data.remove_prefix(newline + 1);
            events.on_line(client, client.partial, now);
            client.partial.clear();
        }
    }
    for (auto newline = data.find('\n'); newline != std::string_view::npos && client.open();
         newline = data.find('\n')) {
        events.on_line(client, data.substr(0, newline), now);
        data.remove_prefix(newline + 1);
    }
    if (!client.open())
        return;
    client.partial.append(data);
    if (client.partial.size() > kMaxLine)
        fail(client, "a line longer than 1 MiB", 0, events);
}

void ClientSet::queue(Client& client, std::string_view bytes)
{
    client.out.append(bytes);
}

void ClientSet::flush(Client& client, ClientEvents& events)
{
    while (client.out_pending() > 0) {
        const auto n = ::send(client.fd.get(), client.out.data() + client.out_done, client.out_pending(),
                              MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n < 0)
            return fail(client, "send", errno, events);
        client.out_done += static_cast<std::size_t>(n);
    }
    if (client.out_pending() == 0) {
        client.out.clear();
        client.out_done = 0;
    }
    want_output(client, client.out_pending() > 0, events);
}

void ClientSet::want_output(Client& client, bool wanted, ClientEvents& events)
{
    if (wanted == client.wants_output)
        return;
    client.wants_output = wanted;
    if (!poller_.modify(client.fd.get(), EPOLLIN | (wanted ? EPOLLOUT : 0u), index_of(client)))
        fail(client, "epoll_ctl", errno, events);
}

void ClientSet::fail(Client& client, const char* what, int error, ClientEvents& events)
{
    close(client);
    events.on_failed(client, what, error);
}

void ClientSet::close(Client& client) noexcept
{
    if ((client.phase == Client::Phase::connecting || client.phase == Client::Phase::open) && !client.heard)
        --in_flight_;
    client.fd.reset(); // closing also removes it from the epoll set
    client.phase = Client::Phase::failed;
    client.wants_output = false;
}

} // namespace netcook::chatload
